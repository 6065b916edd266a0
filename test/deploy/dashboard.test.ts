// The Grafana dashboard and the alert rules refer only to metrics the agent exports. (Whether each
// query runs and returns data is checked against a real Prometheus in test/metrics/prometheus-scrape.)
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetrics } from '../../src/metrics/metrics.js';
import { read } from './repo-facts.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
}

const dashboard = JSON.parse(read('deploy/grafana/sentinel-dashboard.json')) as {
  uid: string;
  title: string;
  templating: { list: { name: string; type: string; query: unknown }[] };
  panels: Panel[];
};

/** Metric families the agent's registry exports, plus the series Prometheus derives. */
async function exportedNames(): Promise<Set<string>> {
  const metrics = createMetrics();
  const names = new Set<string>(['up']);
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

const metricNamesIn = (expr: string): string[] => [...expr.matchAll(/\b((?:sentinel|process|nodejs)_[a-z0-9_]+|up)\b(?=\s*[{[)])/g)].map((m) => m[1] ?? '');

describe('Grafana dashboard', () => {
  it('has a fixed uid and a Prometheus datasource variable every query uses', () => {
    expect(dashboard.uid).toBe('pipeline-sentinel');
    const datasource = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
    for (const panel of queryPanels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource?.uid ?? panel.datasource?.uid, panel.title).toBe('${datasource}');
    }
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  });

  it('shows what the issue asks for', () => {
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
    for (const needed of [
      /sentinel_incidents_opened_total.*by \(rule, severity\)|by \(rule, severity\).*sentinel_incidents_opened_total/,
      /by \(notifier, outcome\).*sentinel_alerts_sent_total/,
      /histogram_quantile\(0\.5, sum by \(engine, le\).*sentinel_diagnosis_duration_seconds_bucket/,
      /histogram_quantile\(0\.95, sum by \(engine, le\).*sentinel_diagnosis_duration_seconds_bucket/,
      /by \(source\).*rate\(sentinel_log_lines_total/,
      /sentinel_tail_lag_bytes/,
      /process_resident_memory_bytes/,
      /sentinel_outbox_depth/,
      /sentinel_rule_matches_total/,
    ]) {
      expect(exprs).toMatch(needed);
    }
  });

  it('queries only metrics the agent exports', async () => {
    const names = await exportedNames();
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        const used = metricNamesIn(target.expr);
        expect(used.length, `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
        for (const name of used) expect([...names], `${panel.title}: ${name}`).toContain(name);
      }
    }
  });

  it('lays panels out without overlap on the 24-column grid', () => {
    const cells = new Set<string>();
    for (const { gridPos: g, title } of dashboard.panels) {
      expect(g.x + g.w, title).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});

describe('Prometheus alert rules', () => {
  const rules = (parse(read('deploy/prometheus/sentinel-alerts.yml')) as { groups: { rules: { alert: string; expr: string; annotations: Record<string, string> }[] }[] }).groups.flatMap((g) => g.rules);
  const runbook = read('deploy/prometheus/RUNBOOK.md');

  it('watch only metrics the agent exports', async () => {
    const names = await exportedNames();
    for (const rule of rules) for (const name of metricNamesIn(rule.expr)) expect([...names], `${rule.alert}: ${name}`).toContain(name);
  });

  it('cover down, Slack failing, outbox, tail lag, config reload, checkpoints; each with a runbook section', () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['SentinelDown', 'SentinelSlackDeliveryFailing', 'SentinelOutboxGrowing', 'SentinelTailLagGrowing', 'SentinelConfigReloadFailing', 'SentinelCheckpointStale']),
    );
    const anchors = new Set([...runbook.matchAll(/^## (\S+)$/gm)].map((m) => (m[1] ?? '').toLowerCase()));
    for (const rule of rules) {
      const anchor = /RUNBOOK\.md#(\S+)$/.exec(rule.annotations.runbook_url ?? '')?.[1];
      expect(anchor, `${rule.alert} runbook_url`).toBe(rule.alert.toLowerCase());
      expect(anchors, `RUNBOOK.md section for ${rule.alert}`).toContain(anchor);
      expect(rule.annotations.summary, rule.alert).toBeTruthy();
    }
  });
});
