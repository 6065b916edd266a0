import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/metrics.js';
import { sendTestAlert, sampleAlert } from '../../src/notify/notify-test.js';
import { buildSlackMessage, slackLimitViolations } from '../../src/notify/slack-message.js';
import { createRedactor } from '../../src/redact/redactor.js';
import { silentLogger } from '../../src/log.js';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { notifyConfig, tempDir, webhookDest } from './helpers.js';

let slack: FakeSlack;
let state: { dir: string; cleanup: () => Promise<void> };

beforeEach(async () => {
  slack = await startFakeSlack();
  state = await tempDir();
});

afterEach(async () => {
  await slack.close();
  await state.cleanup();
});

describe('sendTestAlert (sentinel notify-test)', () => {
  it('sends the sample alert to each destination and reports what Slack said', async () => {
    slack.setMode({ mode: 'ok' });
    const out = new PassThrough();
    let printed = '';
    out.on('data', (c: Buffer) => (printed += c.toString()));
    const options = {
      config: notifyConfig(
        [
          webhookDest('good', slack.webhookUrl('/services/T/B/good')),
          { name: 'bot', bot_token: 'xoxb-test-0000', channel: 'C1', api_url: slack.apiUrl, rate_per_sec: 1 },
          webhookDest('dead', 'http://127.0.0.1:1/services/T/B/nothing-listens-here'),
        ],
        { console: true },
      ),
      stateDir: state.dir,
      metrics: createMetrics({ defaultMetrics: false }),
      logger: silentLogger(),
      redactor: createRedactor(),
      consoleOut: out,
      requestTimeoutMs: 2000,
    };
    const results = await sendTestAlert(options);
    expect(results.map((r) => [r.destination, r.ok])).toEqual([
      ['console', true],
      ['good', true],
      ['bot', true],
      ['dead', false],
    ]);
    expect(results[1]!.detail).toContain('ok');
    expect(results[2]!.detail).toMatch(/chat\.postMessage to C1: Slack said ok \(ts \d+\.\d+\)/);
    expect(results[3]!.detail).toMatch(/network/);
    expect(printed).toContain('test alert');
    expect(slack.messages).toHaveLength(2);

    slack.setMode({ mode: 'permanent-error', status: 403, error: 'invalid_token' });
    const refused = await sendTestAlert({ ...options, config: notifyConfig([webhookDest('good', slack.webhookUrl())]) });
    expect(refused).toEqual([{ destination: 'good', ok: false, detail: 'incoming webhook: refused: 403 invalid_token' }]);
  });

  it('the sample alert renders within Slack limits', () => {
    expect(slackLimitViolations(buildSlackMessage(sampleAlert(), createRedactor()))).toEqual([]);
  });
});
