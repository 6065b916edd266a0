// The command line as a user meets it (issue 15), through the real bin/sentinel.js: every command has
// its own --help, a wrong command line is exit 2 with one coded line and the usage, no error ever
// shows a stack trace, `run` refuses a state_dir or port another agent holds, `diagnose` takes many
// files and globs, can gate CI, and can be kept off any LLM.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSentinel, type RunningProcess } from '../helpers/sentinel-process.js';
import { waitFor } from '../helpers/wait.js';

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startSentinel(args, { env });
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/** A Node stack frame in output means an error escaped to the user unformatted. */
const STACK_FRAME = /^\s+at .+[(:]\d+/m;
const COMMANDS = ['run', 'brain', 'check', 'test-rules', 'diagnose', 'notify-test'];
const dir = mkdtempSync(join(tmpdir(), 'sentinel-cli-usage-'));
const FAILING_LOG = join(dir, 'failing.log');
writeFileSync(FAILING_LOG, ['Traceback (most recent call last):', '  File "/opt/etl/load.py", line 3, in <module>', '    import pandas', "ModuleNotFoundError: No module named 'pandas'", ''].join('\n'));
mkdirSync(join(dir, 'many', 'nested'), { recursive: true });
const traceback = (error: string): string => ['Traceback (most recent call last):', '  File "/opt/etl/job.py", line 9, in main', '    run()', error, ''].join('\n');
writeFileSync(join(dir, 'many', 'a.log'), traceback("ValueError: invalid literal for int() with base 10: 'x'"));
writeFileSync(join(dir, 'many', 'nested', 'b.log'), traceback("PermissionError: [Errno 13] Permission denied: '/data/out.csv'"));

describe('sentinel command line', () => {
  it.each(COMMANDS)('%s --help prints its own usage and options, exit 0', async (command) => {
    const { code, stdout, stderr } = await run([command, '--help']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`Usage: sentinel ${command}`);
    expect(stdout).toContain('--help');
  });

  it.each([
    { args: ['run', 'nope.yaml'], says: /SENTINEL_ERR_USAGE: unexpected argument: nope\.yaml/ },
    { args: ['check', '--port', '3'], says: /SENTINEL_ERR_USAGE: Unknown option '--port'/ },
    { args: ['check', '--format', 'yaml'], says: /SENTINEL_ERR_USAGE: --format must be one of text, json/ },
    { args: ['brain', '--port', 'abc'], says: /SENTINEL_ERR_USAGE: --port must be a whole number/ },
    { args: ['brain', '--port', '99999'], says: /SENTINEL_ERR_USAGE: --port must be a whole number/ },
    { args: ['diagnose'], says: /SENTINEL_ERR_USAGE: missing argument/ },
    { args: ['diagnose', FAILING_LOG, '--engine', 'gemini'], says: /SENTINEL_ERR_USAGE: --engine gemini needs GOOGLE_API_KEY/ },
    { args: ['diagnose', FAILING_LOG, '--engine', 'openai'], says: /SENTINEL_ERR_USAGE: --engine openai needs brain\.openai\.base_url and brain\.openai\.model/ },
    { args: ['test-rules', 'a.yaml', 'b.yaml'], says: /SENTINEL_ERR_USAGE: unexpected argument: b\.yaml/ },
    { args: ['frobnicate'], says: /SENTINEL_ERR_USAGE: unknown command "frobnicate"/ },
  ])('$args: exit 2, one coded line and the usage, no stack trace', async ({ args, says }) => {
    const { code, stderr } = await run(args);
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(says);
    expect(stderr).toMatch(/Usage: sentinel|sentinel --help/);
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it.each([
    { args: ['diagnose', join(dir, 'nope.log')], says: /SENTINEL_ERR_FILE_NOT_FOUND: cannot read .*nope\.log: no such file/ },
    { args: ['diagnose', dir], says: /SENTINEL_ERR_FILE_NOT_FOUND: .* is a directory/ },
    { args: ['diagnose', join(dir, '*.nothing')], says: /SENTINEL_ERR_FILE_NOT_FOUND: no file matches/ },
    { args: ['test-rules', join(dir, 'nope.yaml')], says: /SENTINEL_ERR_FILE_NOT_FOUND: rule-test file .* does not exist/ },
    { args: ['run', '--config', join(dir, 'nope.yaml')], says: /SENTINEL_ERR_CONFIG_NOT_FOUND/ },
  ])('$args: exit 1 with one coded line, no stack trace', async ({ args, says }) => {
    const { code, stderr } = await run(args);
    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(says);
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it('-V and --version print the version', async () => {
    for (const flag of ['-V', '--version']) {
      const { code, stdout } = await run([flag]);
      expect(code).toBe(0);
      expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it('a config error is printed once: each problem at its place, then one summary line', async () => {
    const bad = join(dir, 'typo.yaml');
    writeFileSync(bad, 'sources:\n  - name: x\n    pathz: ["*.log"]\n');
    const { code, stderr } = await run(['run', '--config', bad]);
    expect(code).toBe(1);
    const placed = stderr.split('\n').filter((l) => l.startsWith(`${bad}:`));
    expect(placed.length).toBeGreaterThan(0);
    // Before, the summary repeated every problem: each may appear once only.
    for (const line of placed) expect(stderr.split(line.slice(bad.length)).length - 1, line).toBe(1);
    expect(stderr).toMatch(/SENTINEL_ERR_CONFIG_INVALID: \d+ problem\(s\)/);
  });

  it('check --format json: one document with the problems and warnings', async () => {
    const bad = join(dir, 'bad-severity.yaml');
    writeFileSync(bad, 'rules:\n  - id: a\n    match: { regex: "boom" }\n    severity: loud\n');
    const { code, stdout } = await run(['check', bad, '--format', 'json']);
    expect(code).toBe(1);
    const doc = JSON.parse(stdout) as { valid: boolean; problems: Array<{ line: number; path?: string; message: string }> };
    expect(doc.valid).toBe(false);
    expect(doc.problems.some((p) => p.line === 4 && p.path === 'rules[0].severity' && /severity/.test(p.message))).toBe(true);
  });

  it('diagnose: several files and a quoted glob, each line naming its file; --fail-on-incident exits 1', async () => {
    const { code, stdout, stderr } = await run(['diagnose', FAILING_LOG, join(dir, 'many', '**', '*.log'), '--engine', 'builtin']);
    expect(code, stderr).toBe(0);
    const files = stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { file: string; engine: string }).file);
    expect(new Set(files)).toEqual(new Set([FAILING_LOG, join(dir, 'many', 'a.log'), join(dir, 'many', 'nested', 'b.log')]));
    const gated = await run(['diagnose', FAILING_LOG, '--fail-on-incident']);
    expect(gated.code).toBe(1);
    const quiet = join(dir, 'quiet.log');
    writeFileSync(quiet, 'all good\n');
    expect((await run(['diagnose', quiet, '--fail-on-incident'])).code).toBe(0);
  });

  it('diagnose --engine builtin never calls an LLM, even with a key set', async () => {
    // The key points Gemini at a closed port: any call would fall back, and say so in `engine`.
    const { code, stdout } = await run(['diagnose', FAILING_LOG, '--engine', 'builtin'], {
      GOOGLE_API_KEY: 'test-key',
      GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:9',
    });
    expect(code).toBe(0);
    const report = JSON.parse(stdout.trim().split('\n')[0] ?? '{}') as { engine: string };
    expect(report.engine).toBe('builtin');
  });
});

describe('sentinel run: one agent per state_dir and port', () => {
  const running: RunningProcess[] = [];
  afterAll(async () => {
    for (const p of running) p.kill('SIGKILL');
    await Promise.all(running.map((p) => p.exited));
  });

  function config(name: string, stateDir: string, port: number): string {
    const file = join(dir, `${name}.yaml`);
    const logs = join(dir, `${name}-logs`);
    mkdirSync(logs, { recursive: true });
    writeFileSync(file, `sources:\n  - name: ${name}\n    paths: ["${logs}/*.log"]\nstate_dir: ${stateDir}\nserver:\n  port: ${port}\n  host: 127.0.0.1\n`);
    return file;
  }

  it('a second agent on the same state_dir exits 1 naming the holder; a taken port exits 1 too; the lock goes with the agent', async () => {
    const first = startSentinel(['run', '--config', config('first', join(dir, 'state-a'), 0)]);
    running.push(first);
    await first.waitForOutput(/Listening for \/metrics/);
    const port = Number((/"port":(\d+)/.exec(first.stdout() + first.stderr()) ?? [])[1]);
    expect(port).toBeGreaterThan(0);

    const sameState = await run(['run', '--config', config('second', join(dir, 'state-a'), 0)]);
    expect(sameState.code).toBe(1);
    expect(sameState.stderr).toMatch(new RegExp(`SENTINEL_ERR_STATE_LOCKED: .*pid ${first.child.pid}`));

    const samePort = await run(['run', '--config', config('third', join(dir, 'state-c'), port)]);
    expect(samePort.code).toBe(1);
    expect(samePort.stderr).toMatch(new RegExp(`SENTINEL_ERR_PORT_IN_USE: port ${port}`));
    expect(samePort.stderr).not.toMatch(STACK_FRAME);

    first.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    // The state_dir is free again, without any clean-up by hand.
    const next = startSentinel(['run', '--config', config('next', join(dir, 'state-a'), 0)]);
    running.push(next);
    await next.waitForOutput(/Listening for \/metrics/);
  });

  it('a lock left by a killed agent is taken over', async () => {
    const stateDir = join(dir, 'state-stale');
    const killed = startSentinel(['run', '--config', config('killed', stateDir, 0)]);
    running.push(killed);
    await killed.waitForOutput(/Listening for \/metrics/);
    killed.kill('SIGKILL');
    await killed.exited;
    const after = startSentinel(['run', '--config', config('after', stateDir, 0)]);
    running.push(after);
    await waitFor('the restarted agent to listen', () => /Listening for \/metrics/.test(after.stdout() + after.stderr()), { timeoutMs: 15_000 }, () => after.stderr().slice(-500));
  });

  it('check names a rule without an id by its place, never as rule "undefined"', async () => {
    const file = join(dir, 'no-id.yaml');
    writeFileSync(file, 'rules:\n  - match: { regex: "x" }\n    severity: error\n');
    const result = await run(['check', file]);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('rules[0]: missing required key "id"');
    expect(result.stdout + result.stderr).not.toContain('undefined');
  });
});
