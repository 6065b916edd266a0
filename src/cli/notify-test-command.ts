// `sentinel notify-test`: one sample alert to each configured destination, and what Slack said.
import { sendTestAlert } from '../notify/notify-test.js';
import { createMetrics } from '../metrics/metrics.js';
import { createRedactor } from '../redact/redactor.js';
import type { Logger } from '../log.js';
import { resolveConfig } from './resolve-config.js';

export async function runNotifyTestCommand(configFile: string | undefined, logger: Logger): Promise<number> {
  const config = resolveConfig(configFile);
  const results = await sendTestAlert({
    config: config.notify,
    stateDir: config.state_dir,
    metrics: createMetrics({ defaultMetrics: false }),
    logger,
    redactor: createRedactor(config.redact.patterns),
  });
  for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.destination}: ${r.detail}`);
  return results.every((r) => r.ok) ? 0 : 1;
}
