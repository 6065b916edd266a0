// Folds matches into incidents: one failure repeated is one incident; it opens (at once, or once
// its threshold is crossed), counts repeats quietly, re-alerts after its cooldown when it got new
// occurrences, and resolves after a quiet period or on a success record of its pipeline/step.
// Lifecycle runs on the injected clock (`now`), never on the log's own timestamps, so replaying
// an old file cannot resolve incidents at once and tests drive time in milliseconds.
import type { IncidentUpdate } from './incident-update.js';
import type { IncidentsConfig } from '../config/config-types.js';
import { crypto } from '../crypto-on-demand.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Diagnosis, Incident, LogEvent, Match } from '../types.js';
import { addSample, eventScope, fieldValue, incidentTitle } from './incident-fields.js';
import { formatDuration, successReason } from './resolution-reason.js';
import path from 'node:path';
import { type IncidentState, type PersistedIncident, STATE_FILE, STATE_VERSION, readIncidentState, writeIncidentState } from './incident-store.js';
import { createStateWriter, type StateWriter } from '../state/state-writer.js';
import { createAnnouncementJournal, type JournalEntry } from './announcement-journal.js';
import { createStormBatcher } from './storm-batcher.js';
import { createFailureEpisodes } from './failure-episodes.js';
import { SEVERITIES } from '../types.js';

export type { IncidentUpdate };

export interface IncidentTrackerOptions {
  config: IncidentsConfig;
  /** Where `incidents.json` lives; null: no persistence (one-shot diagnose). */
  stateDir: string | null;
  metrics: Metrics;
  logger: Logger;
  now?: () => number;
  /** Told of each failed save, and of the first success after failures. */
  onSaveOutcome?: (error: Error | null, previous: Error | null) => void;
  /** An operator silence covers this new incident: it is tracked, but takes no storm slot and is not announced. */
  silenced?: (incident: Incident) => boolean;
}

export interface IncidentTracker {
  /** Restores open incidents, counts, last alert times, threshold windows and a pending digest from stateDir. */
  load(): Promise<void>;
  /** A rule matched. Returns what should be alerted now: usually [] for repeats, [opened] for a new incident. */
  observe(match: Match): IncidentUpdate[];
  /** A success record: resolves open incidents of its pipeline (and step, when it names one). */
  observeSuccess(event: LogEvent): IncidentUpdate[];
  /** Call about once a second: emits due digests, resolves quiet incidents, re-alerts those whose cooldown passed. */
  tick(): IncidentUpdate[];
  /** Attaches the brain's answer to the incident (open or recently resolved); kept and persisted. */
  setDiagnosis(incidentId: string, diagnosis: Diagnosis): void;
  get(id: string): Incident | undefined;
  open(): Incident[];
  /**
   * Writes `${stateDir}/incidents.json` atomically from the current state; callers that arrive
   * during a write share the next one. A failed write rejects its callers only: the next call
   * tries again from the then-current state.
   */
  save(): Promise<void>;
  /** State changed since the last successful save (or the last save failed). */
  readonly unsaved: boolean;
  /** Why the last save failed; null when it succeeded. */
  readonly saveFailure: Error | null;
  /**
   * Owes the updates to people until `settle(id)`: they are saved with the state that decided
   * them, and returned by `owed()` after a restart until settled.
   */
  owe(updates: IncidentUpdate[]): JournalEntry[];
  settle(id: string): void;
  owed(): JournalEntry[];
  /** Incidents held for a storm digest that has not gone out yet. */
  holding(): number;
  /** Open incidents, recently resolved ones and those held for a digest, for `sentinel incidents`. */
  list(): { open: Incident[]; resolved: Incident[]; held: Incident[] };
  /** Entries tracked: open incidents + recently resolved + threshold windows (≤ max_tracked). */
  readonly size: number;
}

interface Tracked extends PersistedIncident {
  id: string;
  /** Fingerprints of other rules' matches that joined this incident as part of the same failure. */
  aliases?: string[];
}

/** Aliases kept per incident: enough for every rule that can match one failure. */
const MAX_ALIASES = 16;

/** Which of two rules names a failure: the operator's own rule over a pack's, then the more specific pack rule. */
function outranks(a: Match['rule'], b: Match['rule']): boolean {
  if ((a.pack === undefined) !== (b.pack === undefined)) return a.pack === undefined;
  return (a.priority ?? 0) > (b.priority ?? 0);
}

function graver(a: Match['severity'], b: Match['severity']): Match['severity'] {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

export function createIncidentTracker(options: IncidentTrackerOptions): IncidentTracker {
  const { config, stateDir, metrics, logger } = options;
  const now = options.now ?? Date.now;
  const maxTracked = Math.max(1, config.max_tracked);
  const resolveAfterMs = config.resolve_after_secs * 1000;

  // Each map is kept in least-recently-seen-first order (delete + set on touch), so eviction and
  // the quiet-period scan start at the head and stop early.
  const openByFp = new Map<string, Tracked>();
  const openById = new Map<string, Tracked>();
  /** Fingerprints that joined an open incident (Tracked.aliases), so their repeats fold into it too. */
  const aliasByFp = new Map<string, Tracked>();
  const episodes = createFailureEpisodes();
  const resolved = new Map<string, Tracked>();
  const windows = new Map<string, number[]>();
  /** Announced open incidents with occurrences their last alert did not carry. */
  const dirty = new Set<Tracked>();
  const storm = createStormBatcher<Tracked>({
    windowMs: config.storm.window_secs * 1000,
    maxIndividual: config.storm.max_individual_alerts,
    ...(config.storm.max_window_secs !== undefined ? { maxWindowMs: config.storm.max_window_secs * 1000 } : {}),
    ...(config.storm.rate_per_sec !== undefined ? { ratePerSec: config.storm.rate_per_sec } : {}),
  });
  let evictedOpenSinceWarn = 0;
  const journal = createAnnouncementJournal();
  const writer: StateWriter | null =
    stateDir === null ? null : createStateWriter({
          file: path.join(stateDir, STATE_FILE),
          snapshot: () => JSON.stringify(currentState()),
          write: writeIncidentState,
          ...(options.onSaveOutcome ? { onOutcome: options.onSaveOutcome } : {}),
        });
  const changed = (): void => writer?.markDirty();

  const snapshot = (t: Tracked): Incident => ({ ...t.incident, samples: [...t.incident.samples] });
  const cooldownMs = (t: Tracked): number => (t.incident.rule.cooldownSecs ?? config.cooldown_secs) * 1000;
  const updateOpenGauge = (): void => metrics.incidentsOpen.set(openByFp.size);

  function announce(t: Tracked, at: number): void {
    t.lastAlertAt = at;
    t.alertedCount = t.incident.count;
    dirty.delete(t);
  }

  function flushStorm(at: number, updates: IncidentUpdate[]): void {
    const flush = storm.flushDue(at);
    if (!flush) return;
    const held = flush.announce;
    for (const t of held) announce(t, at);
    // A window that held back a single incident was no storm: announce it on its own.
    const first = held[0];
    if (held.length === 1 && first) updates.push({ kind: 'opened', incident: snapshot(first) });
    else if (held.length > 1) {
      updates.push({ kind: 'digest', incidents: held.map(snapshot) });
      metrics.digestAlerts.inc();
      logger.info({ incidents: held.length }, 'Incident storm digest.');
    }
    for (const t of flush.resolvedAfter) updates.push({ kind: 'resolved', incident: snapshot(t) });
  }

  function thresholdKey(match: Match, groupBy: string[] | undefined): string {
    if (!groupBy || groupBy.length === 0) return `${match.rule.id}\u0000fp\u0000${match.fingerprint}`;
    const values = groupBy.map((f) => fieldValue(match.event, f) ?? '');
    return `${match.rule.id}\u0000group\u0000${JSON.stringify(values)}`;
  }

  function newId(at: number): string {
    // Time first, so ids sort by opening time; random tail, so two agents never collide.
    return `inc-${Math.max(0, Math.floor(at)).toString(36).padStart(9, '0')}-${crypto().randomBytes(4).toString('hex')}`;
  }

  function forgetOpen(t: Tracked): void {
    openByFp.delete(t.incident.fingerprint);
    openById.delete(t.id);
    dirty.delete(t);
    for (const alias of t.aliases ?? []) if (aliasByFp.get(alias) === t) aliasByFp.delete(alias);
    episodes.forget(t.id);
  }

  function resolve(t: Tracked, at: number, why: 'quiet' | 'success', because: string, updates: IncidentUpdate[]): void {
    const inc = t.incident;
    forgetOpen(t);
    inc.status = 'resolved';
    inc.resolvedAt = at;
    inc.resolvedBecause = because;
    resolved.set(t.id, t);
    metrics.incidentsResolved.inc({ rule: inc.rule.id, severity: inc.severity });
    logger.info({ incidentId: t.id, rule: inc.rule.id, count: inc.count, why }, 'Incident resolved.');
    // Never tell people an incident resolved before they were told it opened.
    if (storm.isPending(t.id)) storm.deferResolved(t.id);
    else updates.push({ kind: 'resolved', incident: snapshot(t) });
  }

  function lastHit(hits: number[]): number {
    return hits[hits.length - 1] ?? 0;
  }

  /** Keeps open + resolved + windows within max_tracked; resolved incidents and stale windows go before open ones. */
  function evictIfNeeded(): void {
    while (openByFp.size + resolved.size + windows.size > maxTracked) {
      const r = resolved.values().next();
      const w = windows.entries().next();
      if (!r.done && (w.done || r.value.seenAt <= lastHit(w.value[1]))) resolved.delete(r.value.id);
      else if (!w.done) windows.delete(w.value[0]);
      else {
        const o = openByFp.values().next();
        if (o.done) break;
        forgetOpen(o.value);
        evictedOpenSinceWarn++;
        updateOpenGauge();
      }
      metrics.fingerprintsEvicted.inc();
    }
  }

  function openIncident(match: Match, at: number, count: number, firstHitAt: number, updates: IncidentUpdate[]): void {
    const { event, rule } = match;
    const id = newId(at);
    const incident: Incident = {
      id,
      fingerprint: match.fingerprint,
      rule,
      severity: match.severity,
      title: incidentTitle(event, rule),
      ...eventScope(event),
      source: event.origin.source,
      file: event.origin.file,
      // For a crossed threshold the first hit was earlier than this event, by the tracker's clock.
      firstSeen: event.ts - (at - firstHitAt),
      lastSeen: event.ts,
      count,
      status: 'open',
      samples: [event],
    };
    const t: Tracked = { id, incident, seenAt: at, lastAlertAt: null, alertedCount: 0 };
    openByFp.set(match.fingerprint, t);
    openById.set(id, t);
    episodes.note(id, match, at);
    metrics.incidentsOpened.inc({ rule: rule.id, severity: match.severity });
    updateOpenGauge();
    if (options.silenced?.(incident)) {
      // Marked as announced, so its repeats re-alert after the cooldown like any other; the agent
      // withholds those too while the silence lasts.
      announce(t, at);
      metrics.incidentsSuppressed.inc({ reason: 'silenced' });
      logger.info({ incidentId: id, rule: rule.id, severity: match.severity }, 'Incident opened under a silence; not announced.');
      evictIfNeeded();
      return;
    }
    const announceNow = storm.admit(t, at);
    logger.info({ incidentId: id, rule: rule.id, severity: match.severity, heldForDigest: !announceNow }, 'Incident opened.');
    if (announceNow) {
      announce(t, at);
      updates.push({ kind: 'opened', incident: snapshot(t) });
    } else metrics.incidentsSuppressed.inc({ reason: 'storm' });
    evictIfNeeded();
  }

  function observe(match: Match): IncidentUpdate[] {
    const at = now();
    const updates: IncidentUpdate[] = [];
    changed();
    flushStorm(at, updates);
    // Another record of a failure already open (its summary line, the error an adapter's debug
    // line announced): it joins that incident, takes no storm slot, and is no new occurrence.
    const sameFailureId = openByFp.has(match.fingerprint) ? undefined : episodes.find(match, at);
    const related = sameFailureId === undefined ? undefined : openById.get(sameFailureId);
    if (related) {
      join(related, match, at);
      metrics.incidentsSuppressed.inc({ reason: 'same_failure' });
      return updates;
    }
    const existing = openByFp.get(match.fingerprint) ?? aliasByFp.get(match.fingerprint);
    if (existing) {
      const inc = existing.incident;
      touch(existing);
      inc.count++;
      inc.lastSeen = Math.max(inc.lastSeen, match.event.ts);
      inc.firstSeen = Math.min(inc.firstSeen, match.event.ts);
      addSample(inc.samples, match.event);
      existing.seenAt = at;
      episodes.note(existing.id, match, at);
      // Folded into the open incident: its count and its next update (after the cooldown) carry it.
      if (existing.lastAlertAt !== null) dirty.add(existing);
      metrics.incidentsSuppressed.inc({ reason: 'duplicate' });
      return updates;
    }

    const threshold = match.rule.threshold;
    if (threshold && threshold.count > 1) {
      const key = thresholdKey(match, threshold.group_by);
      const hits = windows.get(key) ?? [];
      windows.delete(key);
      hits.push(at);
      const since = at - threshold.window_secs * 1000;
      let drop = 0;
      while (drop < hits.length && (hits[drop] ?? 0) <= since) drop++;
      // Only the last `count` hits can decide a crossing: the window stays bounded by the rule.
      drop = Math.max(drop, hits.length - threshold.count);
      if (drop > 0) hits.splice(0, drop);
      if (hits.length < threshold.count) {
        windows.set(key, hits);
        metrics.incidentsSuppressed.inc({ reason: 'threshold' });
        evictIfNeeded();
        return updates;
      }
      // Crossed: the incident takes over the occurrences that crossed it, and the window starts afresh.
      openIncident(match, at, hits.length, hits[0] ?? at, updates);
      return updates;
    }
    openIncident(match, at, 1, at, updates);
    return updates;
  }

  /** Least recently seen first: a touched incident moves to the end of openByFp. */
  function touch(t: Tracked): void {
    openByFp.delete(t.incident.fingerprint);
    openByFp.set(t.incident.fingerprint, t);
  }

  /**
   * A record of the same failure with another rule's fingerprint: no new occurrence. The incident
   * takes the stronger evidence while its alert is still to be written (no diagnosis yet): the
   * operator's rule over a pack's, the more specific pack rule, the graver severity.
   */
  function join(t: Tracked, match: Match, at: number): void {
    const inc = t.incident;
    touch(t);
    inc.lastSeen = Math.max(inc.lastSeen, match.event.ts);
    t.seenAt = at;
    episodes.note(t.id, match, at);
    const aliases = (t.aliases ??= []);
    if (!aliases.includes(match.fingerprint) && aliases.length < MAX_ALIASES && !openByFp.has(match.fingerprint)) {
      aliases.push(match.fingerprint);
      aliasByFp.set(match.fingerprint, t);
    }
    const scope = eventScope(match.event);
    inc.pipeline ??= scope.pipeline;
    inc.step ??= scope.step;
    inc.runId ??= scope.runId;
    inc.attempt ??= scope.attempt;
    if (inc.diagnosis) {
      addSample(inc.samples, match.event);
      return;
    }
    inc.severity = graver(inc.severity, match.severity);
    if (outranks(match.rule, inc.rule)) {
      inc.rule = match.rule;
      inc.title = incidentTitle(match.event, match.rule);
    }
    // The first record stays the first sample: it usually carries the stack the diagnosis locates
    // the failure from; the later ones reach it as the lines after it.
    addSample(inc.samples, match.event);
    logger.debug({ incidentId: t.id, rule: match.rule.id, named: inc.rule.id }, 'Record joined the incident of its failure.');
  }

  function observeSuccess(event: LogEvent): IncidentUpdate[] {
    const at = now();
    const updates: IncidentUpdate[] = [];
    flushStorm(at, updates);
    const { pipeline, step } = eventScope(event);
    const hit: Tracked[] = [];
    for (const t of openByFp.values()) {
      const inc = t.incident;
      // A success that names no pipeline can only speak for pipeline-less incidents of its own file.
      const samePipeline = pipeline === undefined ? inc.pipeline === undefined && inc.file === event.origin.file : inc.pipeline === pipeline;
      if (samePipeline && (step === undefined || inc.step === step)) hit.push(t);
    }
    const because = successReason(event);
    for (const t of hit) resolve(t, at, 'success', because(t.incident), updates);
    if (hit.length > 0) updateOpenGauge();
    if (hit.length > 0 || updates.length > 0) changed();
    return updates;
  }

  function tick(): IncidentUpdate[] {
    const at = now();
    const updates: IncidentUpdate[] = [];
    flushStorm(at, updates);
    const quiet: Tracked[] = [];
    for (const t of openByFp.values()) {
      if (at - t.seenAt < resolveAfterMs) break;
      quiet.push(t);
    }
    const quietFor = `no new occurrence for ${formatDuration(resolveAfterMs)}`;
    for (const t of quiet) resolve(t, at, 'quiet', quietFor, updates);
    if (quiet.length > 0) updateOpenGauge();
    for (const t of [...dirty]) {
      if (t.lastAlertAt === null || at < t.lastAlertAt + cooldownMs(t)) continue;
      announce(t, at);
      updates.push({ kind: 'repeated', incident: snapshot(t) });
    }
    if (evictedOpenSinceWarn > 0) {
      logger.warn({ evicted: evictedOpenSinceWarn, maxTracked }, 'Open incidents forgotten to stay within max_tracked.');
      evictedOpenSinceWarn = 0;
    }
    if (updates.length > 0 || quiet.length > 0) changed();
    return updates;
  }

  function persisted(t: Tracked): PersistedIncident {
    return { incident: t.incident, seenAt: t.seenAt, lastAlertAt: t.lastAlertAt, alertedCount: t.alertedCount };
  }

  async function load(): Promise<void> {
    if (stateDir === null) return;
    const state = await readIncidentState(stateDir, logger);
    if (!state) return;
    openByFp.clear();
    openById.clear();
    resolved.clear();
    windows.clear();
    dirty.clear();
    for (const p of state.open) {
      const t: Tracked = { ...p, id: p.incident.id };
      openByFp.set(p.incident.fingerprint, t);
      openById.set(t.id, t);
      if (t.lastAlertAt !== null && t.incident.count > t.alertedCount) dirty.add(t);
    }
    for (const p of state.resolved) resolved.set(p.incident.id, { ...p, id: p.incident.id });
    for (const [key, hits] of state.windows) windows.set(key, hits);
    const held = new Map(state.held.map((p) => [p.incident.id, { ...p, id: p.incident.id }]));
    storm.restore(state.storm, (id) => openById.get(id) ?? resolved.get(id) ?? held.get(id));
    journal.restore(state.announcing ?? []);
    updateOpenGauge();
    evictIfNeeded();
    logger.info({ open: openByFp.size, resolved: resolved.size, windows: windows.size }, 'Incident state restored.');
  }

  function currentState(): IncidentState {
    return {
      version: STATE_VERSION,
      savedAt: now(),
      open: [...openByFp.values()].map(persisted),
      resolved: [...resolved.values()].map(persisted),
      windows: [...windows.entries()],
      storm: storm.state(),
      held: heldOnly().map(persisted),
      announcing: journal.entries(),
    };
  }

  /** Incidents waiting for a digest that were evicted from tracking meanwhile: still owed an announcement. */
  function heldOnly(): Tracked[] {
    return storm.pending().filter((t) => !openById.has(t.id) && !resolved.has(t.id));
  }

  return {
    load,
    observe,
    observeSuccess,
    tick,
    setDiagnosis(incidentId, diagnosis) {
      const t = openById.get(incidentId) ?? resolved.get(incidentId);
      if (t) {
        t.incident.diagnosis = diagnosis;
        episodes.written(incidentId);
        changed();
      }
      else logger.debug({ incidentId }, 'Diagnosis for an incident no longer tracked; dropped.');
    },
    get(id) {
      const t = openById.get(id) ?? resolved.get(id);
      return t ? snapshot(t) : undefined;
    },
    open: () => [...openByFp.values()].map(snapshot),
    list: () => ({
      open: [...openByFp.values()].map(snapshot),
      resolved: [...resolved.values()].map(snapshot),
      held: heldOnly().map(snapshot),
    }),
    save: () => writer?.persist() ?? Promise.resolve(),
    get unsaved() {
      return writer?.dirty ?? false;
    },
    get saveFailure() {
      return writer?.failure ?? null;
    },
    owe(updates) {
      if (updates.length === 0) return [];
      changed();
      return journal.add(updates, now());
    },
    settle(id) {
      if (journal.settle(id)) changed();
    },
    owed: () => journal.entries(),
    holding: () => storm.pending().length,
    get size() {
      return openByFp.size + resolved.size + windows.size;
    },
  };
}
