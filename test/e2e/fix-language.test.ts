// Issue 15: a fix speaks the language of the failing frame. Through the real `sentinel diagnose`:
// a Java NumberFormatException (real log, see its .json for the source) and a Scala Spark job get
// JVM advice, never Python's errors="coerce"; a Python ValueError keeps the Python advice.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, startSentinel } from '../helpers/sentinel-process.js';

async function fixesOf(file: string): Promise<string[]> {
  const p = startSentinel(['diagnose', '--engine', 'builtin', '--format', 'json', join(REPO_ROOT, file)]);
  const { code } = await p.exited;
  expect(code, p.stderr()).toBe(0);
  return p.stdout().split('\n').filter(Boolean).flatMap((line) => (JSON.parse(line) as { fix: string[] }).fix);
}

describe('fixes in the language of the failing frame', () => {
  it.each([
    'test/fixtures/real/dev/java/fragpipe-tmtintegrator-psm-column-not-number-1415.log',
    'test/fixtures/failures/spark/number-format-price.log',
  ])('JVM advice for %s', async (file) => {
    const fix = (await fixesOf(file)).join('\n');
    expect(fix).toMatch(/try\/catch \(Scala: Try\)/);
    expect(fix).not.toMatch(/errors="coerce"|try\/except/);
  });

  it('Python advice for a Python ValueError', async () => {
    expect((await fixesOf('test/fixtures/failures/python/value-error-parse-float.log')).join('\n')).toContain('errors="coerce"');
  });
});
