// Hostile log content through the real agent process (issue 11): secrets in forms the redactor used
// to miss, terminal escapes, a JSON line nested 10,000 deep and a regex that would backtrack for
// ever must neither leak, nor silence the alerts that follow them.
import { appendFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { startFakeGemini, type FakeGemini } from '../helpers/fake-gemini.js';
import { startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';
import { agentPort, createWorkspace } from '../helpers/agent-workspace.js';

const running: RunningProcess[] = [];
const servers: (FakeSlack | FakeGemini)[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.close();
});

/** An agent diagnosing through fake Gemini and alerting fake Slack, with `extraYaml` appended to its config. */
async function startAgent(extraYaml: string) {
  const gemini = await startFakeGemini();
  const slack = await startFakeSlack();
  servers.push(gemini, slack);
  const ws = createWorkspace(['  url: embedded', '  gemini:', '    base_url: ${GEMINI_BASE}'].join('\n'), extraYaml);
  const agent = startSentinel(['run', '--config', ws.configFile], {
    env: { SLACK_WEBHOOK_URL: slack.webhookUrl(), GOOGLE_API_KEY: 'test-key-not-secret', GEMINI_BASE: gemini.url },
  });
  running.push(agent);
  const port = await agentPort(agent);
  await waitFor('the agent to be ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);
  return { gemini, slack, ws, agent, port };
}

/** One rule per marker, so every line is its own incident with its own alert and prompt. */
function markerRules(markers: string[]): string {
  return [
    'incidents:',
    '  storm:',
    '    max_individual_alerts: 50',
    'rules:',
    ...markers.flatMap((m) => [`  - id: ${m.toLowerCase()}`, '    match:', `      regex: "${m}\\\\b"`, '    severity: error']),
  ].join('\n');
}

// Issue 11, finding 6: each form reached Slack and Gemini verbatim. [marker, line, fragments that must not leave]
const SECRET_LINES: Array<[string, string, string[]]> = [
  ['LEAK1', 'ERROR LEAK1 could not connect to postgres://etl:p@ss/w0rd@db.internal:5432/warehouse', ['p@ss', 'ss/w0rd', 'w0rd']],
  ['LEAK2', 'ERROR LEAK2 command failed: mysql -u etl -pS3cr3tPw -h db warehouse', ['S3cr3tPw']],
  ['LEAK3', 'ERROR LEAK3 s3 upload denied for AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AKIAIOSFODNN7EXAMPLE']],
  ['LEAK4', 'ERROR LEAK4 login rejected, password: hunter', ['hunter']],
  ['LEAK5', 'ERROR LEAK5 login rejected: Password is "opensesame"', ['opensesame']],
  ['LEAK6', 'ERROR LEAK6 dump failed: pg_dump --password Tr0ub4dor --host db', ['Tr0ub4dor']],
];

describe('hostile input through the agent', () => {
  it('masks every secret form in Slack and in the LLM prompt (finding 6)', async () => {
    const markers = SECRET_LINES.map(([m]) => m);
    const { gemini, slack, ws, agent } = await startAgent(markerRules(markers));
    appendFileSync(ws.logFile, SECRET_LINES.map(([, line]) => line + '\n').join(''));

    const everyMarker = (text: string): boolean => markers.every((m) => text.includes(m));
    await waitFor('an alert for every line', () => everyMarker(slack.messages.map((m) => m.raw).join('\n')), { timeoutMs: 20_000 }, () => agent.stdout().slice(-1500));
    await waitFor('a prompt for every line', () => everyMarker(gemini.requests.map((r) => r.prompt).join('\n')), { timeoutMs: 10_000 });

    const slackText = slack.requests.map((r) => r.raw).join('\n');
    const prompts = gemini.requests.map((r) => r.prompt).join('\n');
    for (const [marker, , fragments] of SECRET_LINES) {
      for (const fragment of fragments) {
        expect(slackText, `${marker} in Slack`).not.toContain(fragment);
        expect(prompts, `${marker} in the prompt`).not.toContain(fragment);
      }
    }
    expect(slackText).toContain('[REDACTED');
    expect(prompts).toContain('[REDACTED');
  }, 40_000);
});
