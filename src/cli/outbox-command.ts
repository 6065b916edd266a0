// `sentinel outbox retry`: dead letters (alerts a destination refused for good, or pushed out of a
// full outbox) go back into their destination's queue, e.g. once a revoked webhook is replaced. A
// running agent on the same state_dir takes them within a second; otherwise the next run sends them.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SentinelError } from '../errors.js';
import { destinationDir } from '../notify/destination.js';
import { outboxDestinationNames } from '../notify/destination-registry.js';
import { createOutbox } from '../notify/outbox.js';
import { resolveConfig } from './resolve-config.js';

export async function runOutboxRetryCommand(configFile: string | undefined, now = Date.now()): Promise<number> {
  const config = resolveConfig(configFile);
  const root = join(config.state_dir, 'outbox');
  // Every destination folder on disk, whether or not this shell has its webhook in the environment.
  const names = outboxDestinationNames(config.notify, config.state_dir).map(destinationDir);
  const configured = new Set(names);
  let total = 0;
  for (const dir of (await readdir(root).catch(() => [] as string[])).sort()) {
    const replayed = await createOutbox(join(root, dir))
      .replayDead(now)
      .catch((error: unknown) => {
        throw new SentinelError('SENTINEL_ERR_STATE_DIR', `cannot move dead letters back in ${join(root, dir)}: ${(error as Error).message}`, { cause: error });
      });
    if (replayed.length === 0) continue;
    total += replayed.length;
    const reasons = new Map<string, number>();
    for (const { reason } of replayed) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    const why = [...reasons].map(([reason, n]) => `${reason} ×${n}`).join(', ');
    const note = configured.has(dir) || names.length === 0 ? '' : ` ${config.file} has no destination "${dir}": they wait for an agent that has one.`;
    console.log(`${dir}: ${replayed.length} dead letter${replayed.length === 1 ? '' : 's'} back in the queue (had failed with ${why}).${note}`);
  }
  if (total === 0) {
    console.log(`No dead letters to retry in ${root}.`);
    return 0;
  }
  console.log(`An agent running on ${config.state_dir} sends them within a second; otherwise the next \`sentinel run\` (or \`run --once\`) does.`);
  return 0;
}
