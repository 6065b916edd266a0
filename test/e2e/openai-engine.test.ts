// The OpenAI-compatible engine through real processes: the demo pipeline fails, the agent (a child
// process) asks a loopback server speaking chat completions, and the alert reaches a loopback
// Slack naming the engine and the model; the audit trail in state_dir says what was sent.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LLM_AUDIT_FILE } from '../../src/brain/llm-audit.js';
import { agentPort, createWorkspace, metricValue, scrape } from '../helpers/agent-workspace.js';
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { runPipeline, startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';

const running: RunningProcess[] = [];
const servers: (FakeSlack | FakeOpenAi)[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.close();
});

const OPENAI_YAML = ['  url: embedded', '  openai:', '    base_url: ${LLM_URL}', '    api_key: ${LLM_KEY}', '    model: qwen2.5:7b'].join('\n');

function auditEntries(stateDir: string): Record<string, unknown>[] {
  const file = join(stateDir, LLM_AUDIT_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('OpenAI-compatible engine, end to end', () => {
  it('the agent diagnoses through the local model: Slack names the engine and the model; the audit trail holds the redacted prompt', async () => {
    const llm = await startFakeOpenAi();
    const slack = await startFakeSlack();
    servers.push(llm, slack);
    const ws = createWorkspace(OPENAI_YAML);
    // A GOOGLE_API_KEY in the environment too: the configured local model must still be the one asked.
    const env = { SLACK_WEBHOOK_URL: slack.webhookUrl(), LLM_URL: llm.url, LLM_KEY: 'sk-local-not-secret', GOOGLE_API_KEY: 'left-over-google-key' };
    const agent = startSentinel(['run', '--config', ws.configFile], { env });
    running.push(agent);
    const port = await agentPort(agent);

    // A secret in the lines before the failure: it must reach neither the model, the trail, nor Slack.
    writeFileSync(ws.logFile, JSON.stringify({ level: 'info', msg: 'connecting to postgres://etl:hunter2-very-secret@db:5432/warehouse' }) + '\n');
    running.push(runPipeline(ws.logFile));

    const message = await waitFor('a Slack message', () => slack.messages[0], { timeoutMs: 15_000 }, () => agent.stdout().slice(-1500));
    expect(llm.requests).toHaveLength(1);
    expect(llm.requests[0]!.authorization).toBe('Bearer sk-local-not-secret');
    expect(message.raw).toContain('OpenAI-compatible');
    expect(message.raw).toContain(llm.servedModel);
    expect(message.raw).toContain('transform_data divides by a zero count');
    const prompt = llm.requests[0]!.prompt;
    expect(prompt).toContain('const averageCents = totalCents / BigInt(usdRows.length);');
    expect(prompt).not.toContain('hunter2-very-secret');
    expect(message.raw).not.toContain('hunter2-very-secret');

    const [entry] = await waitFor('the audit entry', () => (auditEntries(ws.stateDir).length > 0 ? auditEntries(ws.stateDir) : undefined));
    expect(entry).toMatchObject({ engine: 'openai', model: 'qwen2.5:7b', answeredBy: llm.servedModel, outcome: 'ok' });
    expect(typeof entry!.fingerprint).toBe('string');
    expect((entry!.prompt as { user: string }).user).toBe(llm.requests[0]!.body.messages![1]!.content);
    expect(JSON.stringify(entry)).not.toContain('hunter2-very-secret');

    const metrics = await scrape(port);
    expect(metricValue(metrics, 'sentinel_llm_calls_total{outcome="ok"}')).toBe(1);
    expect(metricValue(metrics, 'sentinel_diagnosis_duration_seconds_count{engine="openai"}')).toBe(1);
    expect(metricValue(metrics, 'sentinel_llm_tokens_total{kind="input"}')).toBeGreaterThan(0);
  });

  it('a model that answers garbage still gives a timely alert from the built-in analyser, and the trail records invalid_output', async () => {
    const llm = await startFakeOpenAi({ mode: 'garbage' });
    const slack = await startFakeSlack();
    servers.push(llm, slack);
    const ws = createWorkspace(OPENAI_YAML);
    const agent = startSentinel(['run', '--config', ws.configFile], { env: { SLACK_WEBHOOK_URL: slack.webhookUrl(), LLM_URL: llm.url } });
    running.push(agent);
    await agentPort(agent);
    running.push(runPipeline(ws.logFile));
    const message = await waitFor('a Slack message', () => slack.messages[0], { timeoutMs: 15_000 }, () => agent.stdout().slice(-1500));
    expect(message.raw).toMatch(/built-in analyser/);
    expect(message.raw).toMatch(/invalid_output/);
    expect(llm.requests[0]!.authorization).toBeUndefined();
    expect(auditEntries(ws.stateDir)).toEqual([expect.objectContaining({ outcome: 'invalid_output', engine: 'openai' })]);
  });

  it('the brain service writes its own audit trail in its state directory', async () => {
    const llm = await startFakeOpenAi();
    servers.push(llm);
    const ws = createWorkspace(OPENAI_YAML);
    const brain = startSentinel(['brain', '--port', '0', '--config', ws.configFile], { env: { LLM_URL: llm.url, SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/unused' } });
    running.push(brain);
    const brainPort = Number((await brain.waitForOutput(/"port":(\d+)[^\n]*"engine":"openai"[^\n]*Sentinel brain listening/))[1]);
    const res = await fetch(`http://127.0.0.1:${brainPort}/diagnose`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fingerprint: 'fp-service', rule: 'step-failed', severity: 'error', title: 'load failed', text: 'ZeroDivisionError: division by zero', context: [] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ engine: 'openai', model: llm.servedModel });
    expect(auditEntries(ws.stateDir)).toEqual([expect.objectContaining({ fingerprint: 'fp-service', outcome: 'ok', engine: 'openai' })]);
  });
});
