// notify.webhooks at the config edge: defaults, ${VAR} for url and secret, and the problems
// `sentinel check` reports (each as FILE:LINE:COL), never echoing the secret.
import { describe, expect, it } from 'vitest';
import { ConfigError, formatProblem, loadConfigText } from '../../src/config/load-config.js';

const y = (lines: string[]): string => lines.join('\n') + '\n';

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadConfigText(text, 'sentinel.yaml', env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map(formatProblem);
  }
  return [];
}

describe('notify.webhooks', () => {
  it('fills defaults, takes url and secret from the environment, and turns the console off', () => {
    const c = loadConfigText(
      y(['notify:', '  webhooks:', '    - { name: ops, url: "${HOOK_URL}", secret: "${HOOK_SECRET}", severities: [critical], labels: { team: data } }']),
      'sentinel.yaml',
      { HOOK_URL: 'https://ops.example/hook/abc', HOOK_SECRET: 's3cret' },
    );
    expect(c.notify.webhooks).toEqual([
      { name: 'ops', url: 'https://ops.example/hook/abc', secret: 's3cret', severities: ['critical'], labels: { team: 'data' }, rate_per_sec: 10 },
    ]);
    expect(c.notify.console).toBe(false);
  });

  it('an unset secret variable is an error, not an unsigned webhook', () => {
    const problems = problemsOf(y(['notify:', '  webhooks:', '    - name: ops', '      url: https://ops.example/hook', '      secret: ${HOOK_SECRET}']));
    expect(problems[0]).toMatch(/^sentinel\.yaml:5:15: notify\.webhooks\[0\]\.secret: environment variable HOOK_SECRET is not set/);
  });

  it('reports a missing url, a non-http url and a name used twice across destinations', () => {
    const problems = problemsOf(
      y([
        'notify:',
        '  slack: { name: ops, webhook_url: "https://hooks.example/x" }',
        '  webhooks:',
        '    - { name: ops, url: "https://ops.example/hook" }',
        '    - { name: nourl }',
        '    - { name: ftp, url: "ftp://ops.example/hook" }',
      ]),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^sentinel\.yaml:4:\d+: notify\.webhooks\[0\]\.name: destination name "ops" is already used by notify\.slack/),
        expect.stringMatching(/^sentinel\.yaml:5:\d+: notify\.webhooks\[1\].*url/),
        expect.stringMatching(/^sentinel\.yaml:6:\d+: notify\.webhooks\[2\]\.url/),
      ]),
    );
    expect(problems).toHaveLength(3);
  });
});
