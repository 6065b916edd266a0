// `sentinel silence`: mute alerts for a rule or one incident fingerprint for a while, list the
// silences in force (with the incidents they are holding back), remove one. The agent on the same
// state_dir picks changes up within a tick (src/silence/active-silences.ts).
import { createDetector } from '../detect/detector.js';
import { SentinelError } from '../errors.js';
import { readIncidentState } from '../incident/incident-store.js';
import { silentLogger } from '../log.js';
import { suggest } from '../config/validate-schema.js';
import { addSilence, covers, isActive, pruneExpired, readSilences, removeSilence, type Silence } from '../silence/silence-store.js';
import type { Incident } from '../types.js';
import { formatDuration, parseDuration } from './duration.js';
import { resolveConfig } from './resolve-config.js';
import { UsageError, type ParsedCommand } from './command-line.js';

/** Longer than this is no silence but a rule to switch off (`enabled: false`). */
const MAX_SILENCE_MS = 30 * 86_400_000;

export type SilenceRequest =
  | { mode: 'add'; rule?: string; fingerprint?: string; duration: string; reason?: string }
  | { mode: 'list'; format: 'text' | 'json' }
  | { mode: 'remove'; id: string };

/** The one thing the command line asks for, or a usage error saying what is missing or clashes. */
export function silenceRequest({ values, spec }: ParsedCommand): SilenceRequest {
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const [rule, fingerprint, duration, reason, remove] = ['rule', 'fingerprint', 'for', 'reason', 'remove'].map(text);
  const adding = rule !== undefined || fingerprint !== undefined;
  if ([adding, values.list === true, remove !== undefined].filter(Boolean).length !== 1) {
    throw new UsageError('give one of: --rule ID or --fingerprint FP (with --for), --list, --remove SILENCE_ID', spec);
  }
  if (rule !== undefined && fingerprint !== undefined) throw new UsageError('give --rule or --fingerprint, not both: a silence covers one of them', spec);
  if (adding && duration === undefined) throw new UsageError('--for DURATION is required: every silence ends', spec);
  if (!adding && (duration !== undefined || reason !== undefined)) throw new UsageError('--for and --reason go with --rule or --fingerprint', spec);
  if (values.list === true) return { mode: 'list', format: values.format === 'json' ? 'json' : 'text' };
  if (remove !== undefined) return { mode: 'remove', id: remove };
  return { mode: 'add', duration: duration ?? '', ...(rule !== undefined ? { rule } : { fingerprint: fingerprint ?? '' }), ...(reason !== undefined ? { reason } : {}) };
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const what = (s: Silence): string => (s.rule !== undefined ? `rule ${s.rule}` : `fingerprint ${s.fingerprint ?? ''}`);

export async function runSilenceCommand(request: SilenceRequest, configFile: string | undefined, now = Date.now()): Promise<number> {
  const config = resolveConfig(configFile);
  const stateDir = config.state_dir;
  switch (request.mode) {
    case 'add': {
      const durationMs = parseDuration(request.duration);
      if (durationMs === undefined || durationMs > MAX_SILENCE_MS) {
        throw new UsageError(`--for takes a duration from 1s to 30d such as 90s, 30m, 2h, 1d or 1h30m (got "${request.duration}")`);
      }
      if (request.rule !== undefined) {
        const known = createDetector(config).rules.map((r) => r.id);
        if (!known.includes(request.rule)) {
          const hint = suggest(request.rule, known);
          throw new UsageError(`no rule "${request.rule}" in ${config.file}${hint ? ` (did you mean "${hint}"?)` : ''}; \`sentinel diagnose FILE\` names the rule of each incident`);
        }
      }
      if (request.fingerprint !== undefined && !/^[0-9a-f]{16}$/.test(request.fingerprint)) {
        throw new UsageError(`a fingerprint is 16 hex characters, as \`sentinel diagnose\` and \`sentinel silence --list\` print them (got "${request.fingerprint}")`);
      }
      const silence = await addSilence(
        stateDir,
        {
          ...(request.rule !== undefined ? { rule: request.rule } : { fingerprint: request.fingerprint ?? '' }),
          ...(request.reason ? { reason: request.reason } : {}),
          durationMs,
        },
        now,
      ).catch((error: unknown) => {
        throw new SentinelError('SENTINEL_ERR_STATE_DIR', `cannot write the silence to ${stateDir}/silences: ${(error as Error).message}`, { cause: error });
      });
      console.log(`${silence.id}: ${what(silence)} silenced for ${formatDuration(durationMs)}, until ${iso(silence.expiresAt)}.`);
      console.log(`An agent on ${stateDir} holds its alerts back within a second; \`sentinel silence --remove ${silence.id}\` lifts it.`);
      return 0;
    }
    case 'remove': {
      if (!(await removeSilence(stateDir, request.id))) {
        throw new SentinelError('SENTINEL_ERR_SILENCE_NOT_FOUND', `no silence "${request.id}" in ${stateDir}/silences; \`sentinel silence --list\` shows the ones in force`);
      }
      console.log(`${request.id}: removed; alerts it held back flow again from the next update of each incident.`);
      return 0;
    }
    case 'list':
      return listSilences(stateDir, request.format, now);
  }
}

async function listSilences(stateDir: string, format: 'text' | 'json', now: number): Promise<number> {
  const all = await readSilences(stateDir, (file, error) => console.error(`sentinel: SENTINEL_ERR_STATE_CORRUPT: ${file}: ${(error as Error).message}; ignored`));
  await pruneExpired(stateDir, all, now).catch(() => 0);
  const active = all.filter((s) => isActive(s, now));
  const state = await readIncidentState(stateDir, silentLogger());
  const tracked: Incident[] = state ? [...state.open, ...state.resolved].map((p) => p.incident) : [];
  const rows = active.map((silence) => ({ silence, incidents: tracked.filter((incident) => covers(silence, incident)) }));

  if (format === 'json') {
    for (const { silence, incidents } of rows) {
      console.log(
        JSON.stringify({
          ...silence,
          createdAt: iso(silence.createdAt),
          expiresAt: iso(silence.expiresAt),
          incidents: incidents.map((i) => ({ id: i.id, rule: i.rule.id, fingerprint: i.fingerprint, status: i.status, count: i.count, title: i.title })),
        }),
      );
    }
    return 0;
  }
  if (rows.length === 0) {
    console.log(`No silence in force in ${stateDir}.`);
    return 0;
  }
  for (const { silence, incidents } of rows) {
    const reason = silence.reason ? ` · ${silence.reason}` : '';
    console.log(`${silence.id}  ${what(silence)}  until ${iso(silence.expiresAt)} (${formatDuration(silence.expiresAt - now)} left)${reason}`);
    for (const i of incidents) {
      const scope = [i.pipeline, i.step].filter(Boolean).join(' › ');
      console.log(`    ${i.status.padEnd(8)} ${i.id}  ${i.rule.id}  ${i.fingerprint}  ×${i.count}${scope ? `  ${scope}` : ''}  ${i.title}`);
    }
  }
  return 0;
}
