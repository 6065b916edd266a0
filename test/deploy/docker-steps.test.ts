// scripts/docker-steps.sh replays a Dockerfile without Docker. Here it runs on a miniature Dockerfile
// (fixtures/docker-steps) with the real one's instruction kinds; CI runs it on the real Dockerfile.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './repo-facts.js';

function replay(env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(REPO, 'scripts/docker-steps.sh'), '--context', join(REPO, 'test/deploy/fixtures/docker-steps')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

describe('scripts/docker-steps.sh', () => {
  it('replays every step in order, starts the command, passes the HEALTHCHECK and stops with exit 0', async () => {
    const { code, output } = await replay();
    expect(code, output).toBe(0);
    const steps = [...output.matchAll(/^\[docker-steps \d+\] (\w+)/gm)].map((m) => m[1]);
    expect(steps).toEqual([
      'ARG', 'FROM', 'WORKDIR', 'COPY', 'RUN', 'COPY',
      'FROM', 'RUN', 'ENV', 'WORKDIR', 'COPY', 'COPY', 'COPY', 'USER', 'VOLUME', 'EXPOSE', 'HEALTHCHECK', 'STOPSIGNAL', 'ENTRYPOINT', 'CMD',
      'start', 'HEALTHCHECK', 'ready', 'stop',
    ]);
    expect(output).toContain('skipped: root image setup');
    expect(output).toContain('healthy');
    expect(output).toMatch(/docker-steps: OK/);
  });

  it('fails when the command does not exit 0 after its STOPSIGNAL', async () => {
    const { code, output } = await replay({ FIXTURE_EXIT_CODE: '3' });
    expect(code).toBe(1);
    expect(output).toContain('exit code 3 after SIGTERM (want 0)');
  });
});
