// The agent's /metrics, as served by its HTTP server, linted by Prometheus's own `promtool check metrics`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, initNotifierSeries, initRuleSeries, initSourceSeries, type Metrics } from '../../src/metrics/metrics.js';
import { buildAgentServer, type AgentServer } from '../../src/server/agent-server.js';
import { requireTool, runTool } from './prometheus-tools.js';

describe('promtool check metrics on /metrics', () => {
  let app: AgentServer;
  let metrics: Metrics;
  let scrape = '';

  beforeAll(async () => {
    requireTool('promtool');
    metrics = createMetrics();
    initSourceSeries(metrics, 'etl');
    initNotifierSeries(metrics, 'slack');
    initNotifierSeries(metrics, 'console');
    initRuleSeries(metrics, [{ id: 'step-failed', severity: 'critical' }]);
    // Every metric with at least one sample, so each family's samples are linted, not only its HELP/TYPE.
    metrics.diagnosisDuration.labels({ engine: 'gemini' }).observe(2.2);
    metrics.alertDeliveryDuration.labels({ notifier: 'slack' }).observe(0.3);
    metrics.detectionLatency.observe(0.01);
    metrics.readErrors.labels({ source: 'etl', reason: 'eacces' }).inc();
    metrics.diagnosisFallbacks.labels({ reason: 'timeout' }).inc();
    metrics.llmCalls.labels({ outcome: 'ok' }).inc();
    metrics.alertRetries.labels({ notifier: 'slack', reason: 'rate_limited' }).inc();
    metrics.dropped.labels({ stage: 'notify', reason: 'outbox_full' }).inc();
    metrics.fingerprintsEvicted.inc();
    metrics.digestAlerts.inc();
    app = buildAgentServer({ registry: metrics.registry, readiness: () => [] });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address !== 'object') throw new Error('agent server did not bind');
    const response = await fetch(`http://127.0.0.1:${address.port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    scrape = await response.text();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('serves every metric of the catalogue', async () => {
    const families = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => n.startsWith('sentinel_'));
    expect(families.length).toBeGreaterThan(20);
    for (const name of families) expect(scrape, name).toContain(`# TYPE ${name} `);
  });

  it('has no promtool problem on any sentinel_ metric', async () => {
    const { code, stdout, stderr } = await runTool('promtool', ['check', 'metrics'], scrape);
    const problems = (stdout + stderr).split('\n').filter((line) => line.trim() !== '');
    // prom-client's own nodejs_active_*_total gauges trip the `_total` lint; judge only our metrics.
    const ours = problems.filter((line) => line.includes('sentinel_'));
    expect(ours).toEqual([]);
    const foreign = problems.filter((line) => !/^nodejs_|^process_/.test(line));
    expect(foreign, `promtool exit ${code}`).toEqual([]);
  });

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
    ]) {
      expect(text, series).toContain(series);
    }
  });

  it('follows the naming conventions promtool does not check', async () => {
    const json = await metrics.registry.getMetricsAsJSON();
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
