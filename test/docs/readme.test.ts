// README.md is the user's door: these checks keep it in step with the code it documents.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { createMetrics } from '../../src/metrics/metrics.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`## ${title}`);
  expect(start, `README has a "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

describe('README.md', () => {
  it('starts with the two-command quickstart and names the test command CI runs', () => {
    const quickstart = section('Quickstart');
    expect(quickstart).toContain('npm ci && npm run demo');
    expect(quickstart).toMatch(/<!-- test-command -->\n```bash\nnpm test\n```/);
    expect(readme.indexOf('## Quickstart')).toBeLessThan(readme.indexOf('## Configuration'));
  });

  it('lists every error code in the troubleshooting table', () => {
    const table = section('Troubleshooting');
    for (const code of Object.keys(ERROR_CODES)) expect(table, code).toContain(`\`${code}\``);
  });

  it('documents every sentinel_ metric the agent and the brain export', async () => {
    const exported = async (scope: 'agent' | 'brain'): Promise<string[]> =>
      (await createMetrics({ defaultMetrics: false, scope }).registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => n.startsWith('sentinel_'));
    const names = [...(await exported('agent')), ...(await exported('brain'))];
    expect(names.length).toBeGreaterThan(20);
    const table = section('Metrics');
    for (const name of names) expect(table, name).toContain(name);
  });

  it('documents every CLI command', () => {
    const running = section('Running it');
    for (const command of ['run', 'brain', 'check', 'test-rules', 'diagnose', 'notify-test', 'incidents', 'silence', 'outbox retry']) {
      expect(running).toContain(`npx sentinel ${command}`);
    }
  });
});
