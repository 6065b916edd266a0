// A real Prometheus server scrapes the agent's /metrics on loopback; its HTTP API must then report the
// counts the agent has, and answer every Grafana panel query with data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../helpers/wait.js';
import { startPrometheus, type PrometheusServer, type PromResponse } from './prometheus-tools.js';
import { startMetricsTarget, type MetricsTarget } from './metrics-target.js';

const repo = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));

interface Dashboard {
  templating: { list: { name: string; type: string; query?: string | { query: string } }[] };
  panels: { title: string; type: string; targets?: { expr: string }[] }[];
}

/** Grafana's variables replaced the way Grafana would for "All" and a 1 s scrape interval. */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}/g, '1m')
    .replace(/\$__interval|\$\{__interval\}|\$__range|\$\{__range\}/g, '1m')
    .replace(/\$\{?(job|instance)\}?/g, '.*');
}

describe('a real Prometheus scraping the agent', () => {
  let target: MetricsTarget;
  let prometheus: PrometheusServer;
  const job = 'sentinel';

  beforeAll(async () => {
    target = await startMetricsTarget();
    prometheus = await startPrometheus({
      targets: [target.address],
      job,
      scrapeIntervalSeconds: 1,
      ruleFiles: [repo('deploy/prometheus/sentinel-alerts.yml')],
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await target?.stop();
  });

  it('reports the lines the agent counted, per source', async () => {
    let last: PromResponse | undefined;
    const values = await waitFor(
      'sentinel_log_lines_total in Prometheus',
      async () => {
        last = await prometheus.query('sentinel_log_lines_total');
        const result = last.data?.result ?? [];
        const bySource = Object.fromEntries(result.map((r) => [r.metric.source, Number(r.value[1])]));
        return Object.entries(target.expectedLines).every(([source, n]) => bySource[source] === n) ? bySource : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
      () => `${target.describe}: ${JSON.stringify(last)}`,
    );
    expect(values).toMatchObject(target.expectedLines);
    const incidents = await prometheus.query('sum(sentinel_incidents_opened_total)');
    expect(Number(incidents.data?.result[0]?.value[1])).toBe(target.expectedIncidents);
    const up = await prometheus.query(`up{job="${job}"}`);
    expect(up.data?.result.map((r) => r.value[1])).toEqual(['1']);
  });

  it('evaluates every alert rule against the scraped series without error, none firing', async () => {
    interface RuleState {
      name: string;
      health: string;
      lastError?: string;
      state?: string;
    }
    let rules: RuleState[] = [];
    await waitFor(
      'every rule evaluated with health ok',
      async () => {
        const body = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as { data: { groups: { rules: RuleState[] }[] } };
        rules = body.data.groups.flatMap((g) => g.rules);
        return rules.length > 0 && rules.every((r) => r.health === 'ok');
      },
      { timeoutMs: 8_000, intervalMs: 200 },
      () => JSON.stringify(rules.map((r) => [r.name, r.health, r.lastError])),
    );
    expect(rules.map((r) => r.name)).toContain('SentinelDown');
    // A healthy agent trips nothing (alerts with `for:` would be pending first).
    expect(rules.filter((r) => r.state !== 'inactive').map((r) => r.name)).toEqual([]);
  });

  it('answers every Grafana panel query and variable query with data', async () => {
    const dashboard = JSON.parse(readFileSync(repo('deploy/grafana/sentinel-dashboard.json'), 'utf8')) as Dashboard;
    const queries: { where: string; expr: string }[] = [];
    for (const panel of dashboard.panels) {
      for (const t of panel.targets ?? []) queries.push({ where: `panel "${panel.title}"`, expr: substituteGrafanaVariables(t.expr) });
    }
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
      const text = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
      const selector = /^label_values\((.+),\s*\w+\)$/.exec(text)?.[1];
      expect(selector, `variable ${variable.name}: ${text}`).toBeDefined();
      queries.push({ where: `variable $${variable.name}`, expr: substituteGrafanaVariables(selector ?? '') });
    }
    expect(queries.length).toBeGreaterThan(10);
    for (const { where, expr } of queries) {
      let last: PromResponse | undefined;
      // rate() needs two scrapes inside its window: poll until the series are there.
      await waitFor(
        `${where} to return data`,
        async () => {
          last = await prometheus.query(expr);
          if (last.status !== 'success') throw new Error(`${last.errorType}: ${last.error}`);
          return (last.data?.result.length ?? 0) > 0;
        },
        { timeoutMs: 8_000, intervalMs: 200 },
        () => `${expr} → ${JSON.stringify(last).slice(0, 300)}`,
      );
    }
  });
});
