// Location classes read off the logs that were unseen until session 6 (blind batch r6 and dev7): the
// unit the failing record names in a structured position, and frames or diagnostics in formats the
// analyser did not read. Every rule is checked on wordings of our own, beside the case it must leave
// alone, so it holds for the class of log and not for the one log that showed it.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/brain/analyser/analyse.js';
import type { DiagnoseRequest } from '../../src/types.js';

function request(overrides: Partial<DiagnoseRequest>): DiagnoseRequest {
  return { fingerprint: 'fp', rule: 'r', severity: 'error', title: 't', text: '', context: [], ...overrides };
}
const locate = (text: string, context: string[] = [], after?: string[]) =>
  analyse(request({ text, context, ...(after ? { after } : {}) }), { readSourceFiles: false, learned: false }).location;

describe('the unit the failing record names', () => {
  it.each([
    ['ConfigError: Input "parse_json" for sink "warehouse" doesn\'t match any components.', 'warehouse'],
    ["ConnectException: Connector 'orders-jdbc' is in FAILED state after 3 restarts", 'orders-jdbc'],
    ['RuntimeError: tool "refresh_cache" call failed: upstream returned 502', 'refresh_cache'],
    ["ValueError: stream 'page_views' returned records without a primary key", 'page_views'],
    ['Error: plugin `tap-hubspot` exited with code 1', 'tap-hubspot'],
  ])('a name in quotes after its kind: %s → %s', (text, name) => {
    expect(locate(text)?.function).toBe(name);
  });

  it('a topic a message was sent to is no place (the labels say so)', () => {
    expect(locate("KafkaTimeoutError: Error when sending message to topic 'clicks' with key: null, value: 40 bytes")).toBeNull();
  });

  it('names a unit bare after "for <kind>" only where the name ends the clause', () => {
    expect(locate('error: E042: Failed to render macro incremental_merge for model model.shop.fct_orders: columns out of sync')?.function).toBe('model.shop.fct_orders');
    expect(locate('RuntimeError: quota exceeded for dataset analytics_eu')?.function).toBe('analytics_eu');
    // `for flow run '…'`: the word after the kind is not a name.
    expect(locate("Crashed: Subprocess for flow run '4bc2d0cc' exited with bad code: -9")?.function).not.toBe('run');
  });

  it('names a code location that did not load, not a plain word before a colon', () => {
    expect(locate('CodeLocationLoadError: Failure loading billing-jobs: UserCodeUnreachableError: could not reach the server')?.function).toBe('billing-jobs');
    expect(locate('DagsterError: Error loading sales_v2: TimeoutError: deadline exceeded')?.function).toBe('sales_v2');
    expect(locate('RuntimeError: Error loading config: missing key "region"')?.function).not.toBe('config');
  });

  it("names a Vector component by its config table's key, whatever it is called", () => {
    const quoted = locate('ERROR vector::cli: Configuration error. error=Input "in_1" for source "syslog_in" doesn\'t match any components.');
    expect(quoted).toMatchObject({ file: 'sources.syslog_in', function: 'syslog_in' });
    const keyed = locate('ERROR vector::topology::builder: Healthcheck failed. error=timed out\ncomponent_kind="transform" component_type="remap" component_id=enrich');
    expect(keyed).toMatchObject({ file: 'transforms.enrich', function: 'enrich' });
  });

  it('a unit named only in the lines before the record is one that ran, not the one that failed', () => {
    expect(locate('ValueError: cannot convert float NaN to integer', ['Starting connector \'orders-jdbc\'', 'component_kind="sink" component_id=archive'])).toBeNull();
  });
});

describe("dbt's node and the file that defines it", () => {
  it('a failed test is located at its schema file, even with its colours pasted without their escape byte', () => {
    const loc = locate('[31mFailure in test unique_orders_order_id (models/marts/_orders.yml)[0m\n\n  Got 3 results, configured to fail if != 0');
    expect(loc).toMatchObject({ file: 'models/marts/_orders.yml', function: 'unique_orders_order_id' });
  });

  it('a bracketed time window is no colour code', () => {
    expect(locate('AlertError: rule "disk_full" fired for [5m] window')?.function).toBe('disk_full');
  });
});
