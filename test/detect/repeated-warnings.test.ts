// A client's warning that it cannot reach its broker alerts once it repeats (the rule's threshold),
// counted per file whatever node or client each warning names; once or twice stays quiet. Replayed
// through the agent's own pipeline (`sentinel test-rules`), so the threshold is the incident stage's.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRuleTests } from '../../src/agent/rule-tests.js';

const yamlLines = (lines: string[]): string => lines.map((l) => `      - ${JSON.stringify(l)}`).join('\n');

async function incidentsFor(name: string, lines: string[], expect_: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-repeated-'));
  writeFileSync(join(dir, 't.yaml'), `tests:\n  - name: ${name}\n    lines:\n${yamlLines(lines)}\n    expect: ${expect_}\n`);
  return (await runRuleTests(join(dir, 't.yaml'), {})).report;
}

describe('a Kafka client that keeps failing to reach its broker', () => {
  it('alerts once on the third warning of one file, whichever client or node each names', async () => {
    const report = await incidentsFor(
      'three warnings, two clients',
      [
        '2026-02-01 10:00:01,100 WARN [Producer clientId=orders-producer] Connection to node 2 (kafka-2/10.0.0.12:9092) could not be established. Broker may not be available.',
        '2026-02-01 10:00:01,300 WARN [Consumer clientId=orders-consumer-1, groupId=orders] Connection to node -1 (kafka-0/10.0.0.10:9092) could not be established. Broker may not be available.',
        '2026-02-01 10:00:02,100 WARN [Consumer clientId=orders-consumer-1, groupId=orders] Bootstrap broker kafka-0:9092 (id: -1 rack: null) disconnected',
      ],
      '[{ rule: jvm.kafka-broker-unreachable, count: 3 }]',
    );
    expect(report).toBe('PASS three warnings, two clients');
  });

  it('stays quiet on a broker that drops once and comes back', async () => {
    const report = await incidentsFor(
      'a restart',
      [
        '2026-02-01 10:00:01,100 WARN [Producer clientId=orders-producer] Connection to node 2 (kafka-2/10.0.0.12:9092) could not be established. Broker may not be available.',
        '2026-02-01 10:00:01,400 WARN [Producer clientId=orders-producer] Bootstrap broker kafka-2:9092 (id: 2 rack: null) disconnected',
        '2026-02-01 10:00:09,000 INFO [Producer clientId=orders-producer] Cluster ID: 4L6g3nShT-eMCtK--X86sw',
      ],
      '[]',
    );
    expect(report).toBe('PASS a restart');
  });
});
