// The agent's view of the operator's silences: re-read from state_dir when the folder changes (the
// agent asks once per tick), answered from memory for every announcement.
import type { Logger } from '../log.js';
import { covers, isActive, readSilences, silencesVersion, type Silence, type Silenceable } from './silence-store.js';

export interface ActiveSilences {
  /** Re-reads the silences if the folder changed since the last look. Never throws. */
  refresh(): Promise<void>;
  /** The silence that covers this incident now, if any. */
  covering(incident: Silenceable): Silence | undefined;
}

/** Read the folder again after this long even if its mtime did not move (a coarse-mtime filesystem). */
const FULL_REREAD_MS = 60_000;

export function createActiveSilences(options: { stateDir: string; logger: Logger; now: () => number }): ActiveSilences {
  const { stateDir, logger, now } = options;
  let silences: Silence[] = [];
  let version: number | null | undefined;
  let readAt = -Infinity;
  let refreshing: Promise<void> | null = null;
  const reported = new Set<string>();

  async function reread(): Promise<void> {
    const seen = await silencesVersion(stateDir);
    if (seen === version && now() - readAt < FULL_REREAD_MS) return;
    const next = await readSilences(stateDir, (file, error) => {
      if (reported.has(file)) return;
      reported.add(file);
      logger.error({ code: 'SENTINEL_ERR_STATE_CORRUPT', file, err: error }, 'Unreadable silence file ignored; the other silences still hold.');
    });
    const before = new Set(silences.map((s) => s.id));
    const after = new Set(next.map((s) => s.id));
    for (const s of next) if (!before.has(s.id)) logger.info({ silence: s.id, rule: s.rule, fingerprint: s.fingerprint, until: new Date(s.expiresAt).toISOString() }, 'Silence in force.');
    for (const s of silences) if (!after.has(s.id)) logger.info({ silence: s.id }, 'Silence lifted.');
    silences = next;
    version = seen;
    readAt = now();
  }

  return {
    refresh() {
      // One read at a time: a slow disk must not pile up reads, one per tick.
      refreshing ??= reread()
        .catch((error: unknown) => logger.warn({ err: error, stateDir }, 'Could not read the silences; the last ones read still hold.'))
        .finally(() => (refreshing = null));
      return refreshing;
    },
    covering(incident) {
      const at = now();
      return silences.find((s) => isActive(s, at) && covers(s, incident));
    },
  };
}
