// The Dockerfile's structure, linted without a Docker engine (scripts/docker-steps.sh replays its steps).
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { execForm, parseDockerfile, type Instruction, type Stage } from './dockerfile.js';
import { REPO, cliCommands, defaultAgentPort, defaultBrainPort, read, shutdownDeadlineMs } from './repo-facts.js';

const dockerfile = parseDockerfile(read('Dockerfile'));
const runtime = dockerfile.stages.at(-1) as Stage;
const all = (stage: Stage, keyword: string): Instruction[] => stage.instructions.filter((i) => i.keyword === keyword);
const one = (stage: Stage, keyword: string): Instruction => {
  const found = all(stage, keyword);
  expect(found.map((i) => `${i.keyword} ${i.args}`), `exactly one ${keyword} in stage ${stage.name}`).toHaveLength(1);
  return found[0] as Instruction;
};

describe('Dockerfile', () => {
  it('is multi-stage on node:24-bookworm-slim (Node 24 LTS), the runtime stage last', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerfile.stages) expect(stage.base, stage.name).toMatch(/^node:24(\.\d+)*-bookworm-slim$/);
    expect(runtime.name).toBe('runtime');
  });

  it('runs as a non-root user in the runtime stage, after the last RUN', () => {
    const user = all(runtime, 'USER').at(-1);
    expect(user, 'USER in the runtime stage').toBeDefined();
    expect(user?.args).not.toMatch(/^(root|0)(:|$)/);
    const lastRun = all(runtime, 'RUN').at(-1);
    expect(user && lastRun ? user.line > lastRun.line : true, 'USER comes after the root-only setup').toBe(true);
  });

  it('ships the bundled CLI and no node_modules in the runtime stage', () => {
    // dist/bundle carries every dependency (rolldown.config.js): nothing to install or copy besides it.
    for (const run of all(runtime, 'RUN')) expect(run.args, run.args).not.toMatch(/\bnpm\b/);
    const copies = all(runtime, 'COPY');
    const fromStages = copies.map((c) => /--from=(\S+)\s+(\S+)/.exec(c.args)).filter((m) => m !== null);
    const bundle = fromStages.find((m) => m[2] === '/app/dist/bundle');
    expect(bundle, 'dist/bundle copied from the build stage').toBeDefined();
    const source = dockerfile.stages.find((s) => s.name === bundle?.[1]) as Stage;
    expect(all(source, 'RUN').some((r) => /npm run build/.test(r.args)), `npm run build in stage ${source.name}`).toBe(true);
    expect(all(source, 'COPY').some((c) => c.args.split(/\s+/).includes('rolldown.config.js')), 'the bundler config reaches the build').toBe(true);
    // Nothing from the build stage but what the runtime needs: the launcher, the bundle, package.json
    // ("type": "module", the version) and the published schema.
    const allowed = new Set(['/app/package.json', '/app/dist/bundle', '/app/bin', '/app/schema']);
    for (const m of fromStages) expect(allowed.has(m[2] ?? ''), m[0]).toBe(true);
    // And nothing from the context but the default config.
    for (const copy of copies.filter((c) => !c.args.startsWith('--from'))) expect(copy.args).toMatch(/^deploy\/docker\/sentinel\.yaml /);
  });

  it('copies only context paths that exist and .dockerignore lets through', () => {
    const ignore = read('.dockerignore').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    for (const secret of ['.env', '.git', 'node_modules', 'dist']) expect(ignore, secret).toContain(secret);
    for (const stage of dockerfile.stages) {
      for (const copy of all(stage, 'COPY').filter((c) => !c.args.startsWith('--from'))) {
        const sources = copy.args.split(/\s+/).filter((w) => !w.startsWith('--')).slice(0, -1);
        for (const src of sources) {
          expect(existsSync(join(REPO, src)), `COPY ${src}`).toBe(true);
          const excluded = ignore.some((p) => p === src.split('/')[0]) && !ignore.includes(`!${src}`);
          expect(excluded, `COPY ${src} is excluded by .dockerignore`).toBe(false);
        }
      }
    }
  });

  it('starts through an init in exec form, so SIGTERM reaches Node', () => {
    const entrypoint = execForm(one(runtime, 'ENTRYPOINT').args);
    expect(entrypoint, 'ENTRYPOINT in exec (JSON) form').toBeDefined();
    expect(entrypoint?.slice(0, 3)).toEqual(['/usr/bin/tini', '--', 'node']);
    expect(entrypoint?.[3]).toBe('/app/bin/sentinel.js');
    expect(existsSync(join(REPO, 'bin/sentinel.js'))).toBe(true);
    expect(all(runtime, 'RUN').some((r) => /apt-get install[^&]*\btini\b/.test(r.args)), 'tini installed in the runtime stage').toBe(true);
    const cmd = execForm(one(runtime, 'CMD').args);
    expect(cmd, 'CMD in exec (JSON) form').toBeDefined();
    const [command, ...options] = cmd ?? [];
    const commands = cliCommands();
    expect([...commands.keys()]).toContain(command);
    for (const option of options.filter((o) => o.startsWith('--'))) expect([...(commands.get(command ?? '') ?? [])], option).toContain(option);
  });

  it('stops with SIGTERM within the orchestrators\' grace periods', () => {
    expect(one(runtime, 'STOPSIGNAL').args).toBe('SIGTERM');
    // docker stop waits 10 s by default, Kubernetes 30 s; the agent's own deadline must end first.
    expect(shutdownDeadlineMs()).toBeLessThan(10_000);
  });

  it('checks liveness on /healthz with Node itself (no curl in slim images)', () => {
    const health = one(runtime, 'HEALTHCHECK').args;
    const cmd = execForm(health.replace(/^.*?CMD\s+/, ''));
    expect(cmd?.slice(0, 2)).toEqual(['node', '-e']);
    expect(cmd?.[2]).toContain(`http://127.0.0.1:${defaultAgentPort()}/healthz`);
    expect(health).toMatch(/--interval=\d+s/);
    expect(health).toMatch(/--timeout=\d+s/);
  });

  it('declares the state_dir of its default config as a VOLUME and exposes the agent and brain ports', () => {
    const copy = all(runtime, 'COPY').find((c) => c.args.startsWith('deploy/docker/sentinel.yaml'));
    const configPath = copy?.args.split(/\s+/)[1];
    const cmd = execForm(one(runtime, 'CMD').args) ?? [];
    expect(cmd[cmd.indexOf('--config') + 1], 'CMD --config is the copied default config').toBe(configPath);
    const config = parse(read('deploy/docker/sentinel.yaml')) as { state_dir: string; server: { port: number } };
    expect(execForm(one(runtime, 'VOLUME').args)).toContain(config.state_dir);
    expect(config.server.port).toBe(defaultAgentPort());
    const exposed = one(runtime, 'EXPOSE').args.split(/\s+/).map(Number);
    expect(exposed).toEqual(expect.arrayContaining([defaultAgentPort(), defaultBrainPort()]));
  });
});
