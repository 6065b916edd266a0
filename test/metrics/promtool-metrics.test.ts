// /metrics as Prometheus scrapes it from the real `sentinel run` and `sentinel brain` processes,
// linted by Prometheus's own `promtool check metrics` with nothing filtered out.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPort, metricSum, metricValue, scrape } from '../helpers/agent-workspace.js';
import { startFakeGemini, type FakeGemini } from '../helpers/fake-gemini.js';
import { startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { createMetrics, initNotifierSeries, initRuleSeries, initSourceSeries } from '../../src/metrics/metrics.js';
import { requireTool, runTool } from './prometheus-tools.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Metric family names in an exposition, from its `# TYPE` lines. */
function families(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] ?? '');
}

async function promtoolProblems(text: string): Promise<{ code: number | null; problems: string[] }> {
  const { code, stdout, stderr } = await runTool('promtool', ['check', 'metrics'], text);
  return { code, problems: (stdout + stderr).split('\n').filter((line) => line.trim() !== '') };
}

const failure = (i: number): string =>
  JSON.stringify({ ts: new Date(0).toISOString(), level: 'error', pipeline: 'etl', step: 'load', event: 'step_failed', msg: 'Step failed', n: i, error: { type: 'ConnectionError', message: 'connect ECONNREFUSED 127.0.0.1:5432' } });

describe('promtool check metrics on a scrape of the running agent', () => {
  let dir: string;
  let agent: RunningProcess;
  let text = '';

  beforeAll(async () => {
    requireTool('promtool');
    dir = mkdtempSync(join(tmpdir(), 'sentinel-promtool-agent-'));
    mkdirSync(join(dir, 'logs'));
    // One failure written three times: one incident, two repeats folded into it.
    const ok = Array.from({ length: 5 }, (_, i) => JSON.stringify({ level: 'info', msg: `batch ${i} done` }));
    writeFileSync(join(dir, 'logs', 'etl.log'), [...ok, failure(1), failure(2), failure(3)].join('\n') + '\n');
    writeFileSync(
      join(dir, 'sentinel.yaml'),
      ['sources:', '  - name: etl', `    paths: ["${dir}/logs/*.log"]`, '    start_at: beginning', `state_dir: ${dir}/state`, 'server:', '  port: 0', '  host: 127.0.0.1', ''].join('\n'),
    );
    agent = startSentinel(['run', '--config', join(dir, 'sentinel.yaml')]);
    const port = await agentPort(agent);
    text = await waitFor(
      'the three failures counted',
      async () => {
        const body = await scrape(port);
        return metricSum(body, 'sentinel_rule_matches_total') === 3 && metricSum(body, 'sentinel_incidents_suppressed_total') === 2 ? body : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
      () => agent.stdout() + agent.stderr(),
    );
  });

  afterAll(async () => {
    agent?.kill('SIGTERM');
    await agent?.exited;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes promtool, default Node.js metrics included', async () => {
    const { code, problems } = await promtoolProblems(text);
    expect(problems).toEqual([]);
    expect(code).toBe(0);
    // The default process metrics are still there; only prom-client's misnamed `_total` gauges are gone.
    expect(families(text)).toEqual(expect.arrayContaining(['process_cpu_seconds_total', 'nodejs_heap_size_used_bytes', 'nodejs_active_handles']));
    expect(families(text).filter((name) => name.startsWith('nodejs_active_') && name.endsWith('_total'))).toEqual([]);
  });

  it('serves every family of the catalogue, and says what it is', async () => {
    const catalogue = (await createMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON()).map((m) => m.name);
    expect(catalogue.length).toBeGreaterThan(20);
    expect(families(text)).toEqual(expect.arrayContaining(catalogue));
    expect(families(text).filter((name) => name.startsWith('sentinel_brain_'))).toEqual([]);
    expect(metricValue(text, `sentinel_build_info{version="${VERSION}",node="${process.version}"}`)).toBe(1);
  });

  it('counts folded repeats as duplicates, with every reason the help names', () => {
    expect(metricSum(text, 'sentinel_incidents_opened_total')).toBe(1);
    expect(metricValue(text, 'sentinel_incidents_suppressed_total{reason="duplicate"}')).toBe(2);
    const help = /^# HELP sentinel_incidents_suppressed_total (.*)$/m.exec(text)?.[1] ?? '';
    const reasons = [...text.matchAll(/^sentinel_incidents_suppressed_total\{reason="([a-z_]+)"\}/gm)].map((m) => m[1] ?? '');
    expect(reasons.sort()).toEqual(['duplicate', 'same_failure', 'silenced', 'storm', 'threshold']);
    // The help lists exactly the reasons in use: no `unless`, no `cooldown`.
    expect([...help.matchAll(/\b(duplicate|same_failure|threshold|cooldown|storm|silenced|unless)\b/g)].map((m) => m[1]).sort()).toEqual(reasons);
  });
});

describe('promtool check metrics on a scrape of the running brain service', () => {
  let dir: string;
  let gemini: FakeGemini;
  let brain: RunningProcess;
  let base = '';

  beforeAll(async () => {
    requireTool('promtool');
    gemini = await startFakeGemini();
    dir = mkdtempSync(join(tmpdir(), 'sentinel-promtool-brain-'));
    writeFileSync(join(dir, 'sentinel.yaml'), ['brain:', '  gemini:', '    base_url: ${GEMINI_BASE}', ''].join('\n'));
    brain = startSentinel(['brain', '--port', '0', '--config', join(dir, 'sentinel.yaml')], {
      env: { GOOGLE_API_KEY: 'test-key-not-secret', GEMINI_BASE: gemini.url, HOST: '127.0.0.1' },
    });
    const port = Number((await brain.waitForOutput(/"port":(\d+)[^\n]*Sentinel brain listening/))[1]);
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    brain?.kill('SIGTERM');
    await brain?.exited;
    await gemini?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const diagnose = (body: unknown): Promise<Response> =>
    fetch(`${base}/diagnose`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('exports its own requests, cache and LLM series, none of the agent, and passes promtool', async () => {
    const request = { fingerprint: 'fp-1', rule: 'step-failed', severity: 'critical', title: 'Step failed', text: 'RangeError: Division by zero', context: [] };
    expect((await diagnose(request)).status).toBe(200);
    expect((await diagnose(request)).status).toBe(200); // the same fingerprint: from the cache
    expect((await diagnose({ fingerprint: 'fp-2' })).status).toBe(400);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(gemini.requests).toHaveLength(1);

    // The request counter moves once the reply is sent: poll until the last one shows.
    const text = await waitFor(
      'the /healthz request counted',
      async () => {
        const body = await (await fetch(`${base}/metrics`)).text();
        return metricValue(body, 'sentinel_brain_requests_total{route="/healthz",status="200"}') === 1 ? body : undefined;
      },
      { timeoutMs: 5_000 },
    );

    const ours = families(text).filter((name) => name.startsWith('sentinel_'));
    expect(ours.sort()).toEqual(
      [
        'sentinel_brain_request_duration_seconds',
        'sentinel_brain_requests_total',
        'sentinel_build_info',
        'sentinel_diagnosis_cache_hits_total',
        'sentinel_diagnosis_cache_misses_total',
        'sentinel_diagnosis_duration_seconds',
        'sentinel_diagnosis_fallbacks_total',
        'sentinel_dropped_total',
        'sentinel_fleet_errors_total',
        'sentinel_llm_calls_total',
        'sentinel_llm_tokens_total',
      ].sort(),
    );
    expect(metricValue(text, 'sentinel_brain_requests_total{route="/diagnose",status="200"}')).toBe(2);
    expect(metricValue(text, 'sentinel_brain_requests_total{route="/diagnose",status="400"}')).toBe(1);
    expect(metricValue(text, 'sentinel_brain_request_duration_seconds_count{route="/diagnose",status="200"}')).toBe(2);
    expect(metricValue(text, 'sentinel_diagnosis_cache_misses_total')).toBe(1);
    expect(metricValue(text, 'sentinel_diagnosis_cache_hits_total')).toBe(1);
    expect(metricValue(text, 'sentinel_llm_calls_total{outcome="ok"}')).toBe(1);
    expect(metricValue(text, 'sentinel_llm_tokens_total{kind="input"}')).toBeGreaterThan(0);
    expect(metricValue(text, `sentinel_build_info{version="${VERSION}",node="${process.version}"}`)).toBe(1);

    const { code, problems } = await promtoolProblems(text);
    expect(problems).toEqual([]);
    expect(code).toBe(0);
  });
});

describe('the metric catalogue', () => {
  it('has the known label combinations at zero before anything happened', async () => {
    const fresh = createMetrics({ defaultMetrics: false });
    initSourceSeries(fresh, 'etl');
    initNotifierSeries(fresh, 'slack');
    initRuleSeries(fresh, [{ id: 'step-failed', severity: 'critical' }]);
    const text = await fresh.registry.metrics();
    for (const series of [
      'sentinel_log_lines_total{source="etl"} 0',
      'sentinel_parse_errors_total{source="etl",reason="invalid_json"} 0',
      'sentinel_tail_lag_bytes{source="etl"} 0',
      'sentinel_rule_matches_total{rule="step-failed",severity="critical"} 0',
      'sentinel_incidents_opened_total{rule="step-failed",severity="critical"} 0',
      'sentinel_alerts_sent_total{notifier="slack",outcome="permanent_error"} 0',
      'sentinel_outbox_depth{notifier="slack"} 0',
      'sentinel_diagnosis_duration_seconds_count{engine="builtin"} 0',
      'sentinel_llm_tokens_total{kind="input"} 0',
      'sentinel_config_reloads_total{outcome="failure"} 0',
      'sentinel_checkpoint_age_seconds 0',
      'sentinel_diagnosis_cache_hits_total 0',
    ]) {
      expect(text, series).toContain(series);
    }
  });

  it('follows the naming conventions promtool does not check', async () => {
    const json = await createMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON();
    for (const metric of json.filter((m) => m.name.startsWith('sentinel_'))) {
      expect(metric.help.length, `${metric.name} help`).toBeGreaterThan(10);
      expect(metric.name.endsWith('_total'), `${metric.name}: _total only on counters`).toBe(String(metric.type) === 'counter');
      // Labels from closed sets: never a path, message or fingerprint.
      const labels = new Set(metric.values.flatMap((v) => Object.keys(v.labels)));
      for (const banned of ['path', 'file', 'message', 'fingerprint', 'line']) expect(labels.has(banned), `${metric.name} label ${banned}`).toBe(false);
    }
    const slow = json.find((m) => m.name === 'sentinel_diagnosis_duration_seconds');
    const buckets = (slow?.values ?? []).map((v) => Number(v.labels.le)).filter((le) => Number.isFinite(le));
    expect(Math.max(...buckets)).toBeGreaterThan(10);
  });
});
