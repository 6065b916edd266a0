// The durable outbox of one destination: one JSON file per alert, written (temp + fsync + rename)
// before the alert is sent and removed only once Slack said ok. File names sort in send order, so
// a restart replays pending alerts in the order they were queued. What is stored is the built,
// redacted message, so no secret from a log is ever written to the state directory either.
import { mkdir, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { isAbandonedTempFile, writeFileDurably } from '../state/write-file-durably.js';
import { join } from 'node:path';
import type { OutboxRecord } from './outbox-record.js';
import { salvageOutboxRecord } from './outbox-salvage.js';

export type { OutboxRecord };

export interface OutboxFile {
  name: string;
  record: OutboxRecord;
}

export interface Outbox {
  readonly dir: string;
  /**
   * Pending records in send order. An unreadable file is moved to dead/ (kept for inspection),
   * reported through `onCorrupt` with its new path, and replaced by a record that re-sends what
   * could be read of it.
   */
  load(onCorrupt?: (file: string, err: unknown) => void): Promise<OutboxFile[]>;
  /** A file name later in sort order than every name before it (also across restarts). */
  nextName(key: string, now: number): string;
  write(name: string, record: OutboxRecord): Promise<void>;
  remove(name: string): Promise<void>;
  /** Moves a record that will never be delivered to dead/, with the reason. */
  bury(name: string, record: OutboxRecord, reason: string, now: number): Promise<void>;
  /**
   * Dead letters back into the queue (`sentinel outbox retry`), oldest first, each under a new
   * name after everything pending; damaged `.corrupt` files stay where they are. Returns what moved.
   */
  replayDead(now: number): Promise<ReplayedLetter[]>;
  /** Names of the pending records on disk (a delivery queue adopts those another process wrote). */
  pendingNames(): Promise<string[]>;
  /** One pending record; null when it is gone (delivered meanwhile) or is not an outbox record. */
  read(name: string): Promise<OutboxRecord | null>;
}

export interface ReplayedLetter {
  name: string;
  /** Why it had died: the destination's answer (`channel_not_found`, `invalid_token`, `outbox_full`…). */
  reason: string;
}

/** Dead letters kept per destination; the oldest go first. */
const MAX_DEAD = 1000;
const NAME = /^(\d{15})-(\d{6})-[A-Za-z0-9_.-]*\.json$/;

function isOutboxRecord(r: Partial<OutboxRecord> | null): r is OutboxRecord {
  return (
    r?.v === 1 &&
    typeof r.key === 'string' &&
    typeof r.kind === 'string' &&
    typeof r.severity === 'string' &&
    typeof r.message?.text === 'string' &&
    Array.isArray(r.message.blocks)
  );
}

export function createOutbox(dir: string): Outbox {
  const deadDir = join(dir, 'dead');
  let lastStamp = 0;
  let lastSeq = -1;
  let ready: Promise<void> | null = null;
  // A failed mkdir (a full disk) is forgotten, so the next write tries again rather than failing forever.
  const ensureDirs = (): Promise<void> =>
    (ready ??= mkdir(deadDir, { recursive: true }).then(
      () => undefined,
      (err: unknown) => {
        ready = null;
        throw err;
      },
    ));

  function observe(name: string): void {
    const m = NAME.exec(name);
    if (!m) return;
    const stamp = Number(m[1]);
    const seq = Number(m[2]);
    if (stamp > lastStamp || (stamp === lastStamp && seq > lastSeq)) {
      lastStamp = stamp;
      lastSeq = seq;
    }
  }

  return {
    dir,
    async load(onCorrupt) {
      await ensureDirs();
      const names = (await readdir(dir)).sort();
      const out: OutboxFile[] = [];
      for (const name of names) {
        if (isAbandonedTempFile(name)) {
          // A write that never reached its rename: the caller was never told it was durable.
          await rm(join(dir, name), { force: true });
          continue;
        }
        if (!name.endsWith('.json')) continue;
        observe(name);
        let content = '';
        try {
          content = await readFile(join(dir, name), 'utf8');
          const record = JSON.parse(content) as OutboxRecord;
          if (!isOutboxRecord(record)) throw new Error('not an outbox record');
          out.push({ name, record });
        } catch (err) {
          const kept = join(deadDir, `${name.replace(/\.json$/, '')}.corrupt`);
          await rename(join(dir, name), kept).catch(() => undefined);
          onCorrupt?.(kept, err);
          const record = salvageOutboxRecord(content, kept, Date.now());
          // Durable under the old name, so a crash before it is sent does not lose it a second time.
          await writeFileDurably(join(dir, name), JSON.stringify(record)).catch(() => undefined);
          out.push({ name, record });
        }
      }
      return out;
    },
    nextName(key, now) {
      const stamp = Math.max(Math.floor(now), lastStamp);
      const seq = stamp === lastStamp ? lastSeq + 1 : 0;
      lastStamp = stamp;
      lastSeq = seq;
      const safeKey = key.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100);
      return `${String(stamp).padStart(15, '0')}-${String(seq % 1_000_000).padStart(6, '0')}-${safeKey}.json`;
    },
    async write(name, record) {
      await ensureDirs();
      await writeFileDurably(join(dir, name), JSON.stringify(record));
    },
    async remove(name) {
      await unlink(join(dir, name)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    },
    async bury(name, record, reason, now) {
      await ensureDirs();
      await writeFileDurably(join(deadDir, name), JSON.stringify({ ...record, dead: { reason, at: now } }));
      await this.remove(name);
      const dead = (await readdir(deadDir)).filter((n) => n.endsWith('.json')).sort();
      for (const old of dead.slice(0, Math.max(0, dead.length - MAX_DEAD))) await rm(join(deadDir, old), { force: true });
    },
    async replayDead(now) {
      let dead: string[];
      try {
        dead = (await readdir(deadDir)).filter((n) => NAME.test(n)).sort();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      for (const name of await this.pendingNames()) observe(name);
      const replayed: ReplayedLetter[] = [];
      for (const deadName of dead) {
        let letter: OutboxRecord & { dead?: { reason?: string } };
        try {
          letter = JSON.parse(await readFile(join(deadDir, deadName), 'utf8')) as typeof letter;
        } catch {
          continue; // unreadable: left in dead/ for inspection, like the .corrupt files
        }
        const { dead: why, ...rest } = letter;
        if (!isOutboxRecord(rest)) continue;
        const name = this.nextName(rest.key, now);
        // Pending first, then the dead letter goes: a crash in between sends it twice, never loses it.
        await this.write(name, { ...rest, enqueuedAt: now });
        await rm(join(deadDir, deadName), { force: true });
        replayed.push({ name, reason: why?.reason ?? 'unknown' });
      }
      return replayed;
    },
    async pendingNames() {
      return (await readdir(dir).catch(() => [] as string[])).filter((n) => NAME.test(n)).sort();
    },
    async read(name) {
      try {
        const record = JSON.parse(await readFile(join(dir, name), 'utf8')) as OutboxRecord;
        return isOutboxRecord(record) ? record : null;
      } catch {
        return null;
      }
    },
  };
}
