// The alert rules for the agent, checked and unit-tested by promtool, as CI does.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { requireTool, runTool } from './prometheus-tools.js';

const dir = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));

describe('deploy/prometheus with promtool', () => {
  it('check rules: sentinel-alerts.yml is valid', async () => {
    requireTool('promtool');
    const result = await runTool('promtool', ['check', 'rules', `${dir}sentinel-alerts.yml`]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('test rules: every alert fires on a sick agent and stays quiet on a healthy one', async () => {
    requireTool('promtool');
    const result = await runTool('promtool', ['test', 'rules', `${dir}sentinel-alerts.test.yml`]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('SUCCESS');
  });

  it('check config: the example prometheus.yml (with its rule file) is valid', async () => {
    requireTool('promtool');
    const result = await runTool('promtool', ['check', 'config', `${dir}prometheus.yml`]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });
});
