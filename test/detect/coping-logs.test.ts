// Whole logs through the agent's pipeline: a start-up that waits for its database and then works
// opens nothing; the same wait that ends in giving up opens one incident (coping.ts).
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load-config.js';
import type { SourceConfig } from '../../src/config/config-types.js';
import { incidentsOfText } from '../../src/agent/rule-tests.js';

const config = defaultConfig({});
const source = config.sources[0] as SourceConfig;
const rulesOf = (log: string): string[] => incidentsOfText(log, 'app.log', config, source).map((i) => i.rule);

const WAITS = [
  'api-1  | 2026-03-01 10:00:00 INFO app.db: connecting to warehouse:5432 as loader',
  'api-1  | 2026-03-01 10:00:00 WARNING app.db: warehouse not ready yet, waiting 2s: connection to server at "warehouse" (172.18.0.3), port 5432 failed: Connection refused',
  'api-1  | \tIs the server running on that host and accepting TCP/IP connections?',
  'api-1  | 2026-03-01 10:00:02 WARNING app.db: could not connect to server: the database system is starting up; retrying in 2s (attempt 2 of 30)',
  'worker-1 | 2026-03-01 10:00:03 INFO kafka: Connection to node -1 (broker/172.18.0.4:9092) could not be established, reconnecting',
];

describe('start-up waits', () => {
  it('a wait and retries that end in a working service open no incident', () => {
    const log = [...WAITS, 'api-1  | 2026-03-01 10:00:04 INFO app.db: connected to warehouse', 'api-1  | 2026-03-01 10:00:04 INFO app: serving on :8080', ''].join('\n');
    expect(rulesOf(log)).toEqual([]);
  });

  it('the same wait that gives up opens one incident', () => {
    const log = [...WAITS, 'api-1  | 2026-03-01 10:01:00 ERROR app.db: could not connect to server after 30 attempts, giving up: Connection refused', ''].join('\n');
    expect(rulesOf(log)).toEqual(['postgresql.connection']);
  });
});
