// Every manifest under deploy/ parses, and refers only to what the code has: CLI commands and flags,
// HTTP routes, ports, config keys (the JSON Schema), environment keys, the shutdown deadline.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { Ajv } from 'ajv';
import picomatch from 'picomatch';
import { parse, parseAllDocuments } from 'yaml';
import { OPTIONAL_SECRET_KEYS } from '../../src/config/config-definition.js';
import { evaluateConfigText } from '../../src/config/load-config.js';
import {
  REPO,
  agentRoutes,
  brainRoutes,
  cliCommands,
  defaultBrainPort,
  filesUnder,
  knownEnvKeys,
  read,
  shutdownDeadlineMs,
} from './repo-facts.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are free-form YAML, checked field by field */
type Doc = any;

const manifestFiles = filesUnder('deploy', /\.ya?ml$/);
const docsOf = (file: string): Doc[] => parseAllDocuments(read(file), { merge: true }).map((d) => d.toJS() as Doc);
const k8sDocs = filesUnder('deploy/kubernetes', /\.ya?ml$/).flatMap((file) => docsOf(file).map((doc) => ({ file, doc })));
const kind = (k: string): Doc[] => k8sDocs.filter((d) => d.doc?.kind === k).map((d) => d.doc);
const compose = parse(read('deploy/compose.yaml'), { merge: true }) as Doc;
const schema = JSON.parse(read('schema/sentinel.schema.json')) as object;
const validateConfig = new Ajv({ allErrors: true, strict: false }).compile(schema);
const commands = cliCommands();
const deadlineSeconds = shutdownDeadlineMs() / 1000;
const SENTINEL_IMAGE = /pipeline-sentinel/;

interface ConfigUse {
  where: string;
  config: Doc;
  /** `${VAR}` references with the key they sit on. */
  vars: { name: string; key: string; hasDefault: boolean }[];
}

function loadSentinelConfig(where: string, text: string): ConfigUse {
  const vars: ConfigUse['vars'] = [];
  for (const line of text.split('\n')) {
    for (const m of line.matchAll(/\$\{([A-Z_][A-Z0-9_]*)(:-[^}]*)?\}/g)) {
      vars.push({ name: m[1] ?? '', key: /^\s*-?\s*([a-z_]+):/.exec(line)?.[1] ?? '', hasDefault: Boolean(m[2]) });
    }
  }
  const config = parse(text) as Doc;
  const valid = validateConfig(config);
  expect(validateConfig.errors ?? [], `${where} against schema/sentinel.schema.json`).toEqual([]);
  expect(valid).toBe(true);
  return { where, config, vars };
}

/** The subcommand and its flags, checked against the HELP text of src/cli/main.ts. */
function expectCliArgs(where: string, args: string[]): string {
  const [command, ...rest] = args;
  expect([...commands.keys()], `${where}: sentinel ${command}`).toContain(command);
  for (const option of rest.filter((a) => a.startsWith('-'))) expect([...(commands.get(command ?? '') ?? [])], `${where}: ${option}`).toContain(option);
  return command ?? '';
}

const flag = (args: string[], name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};

/** The demo pipeline's flags and scenarios, from pipeline/aio-pipeline.ts. */
function expectPipelineArgs(where: string, script: string, args: string[]): string {
  const source = script.replace(/^\/app\/dist\//, '').replace(/\.js$/, '.ts');
  expect(existsSync(join(REPO, source)), `${where}: ${script} is built from ${source}`).toBe(true);
  const text = read(source);
  for (const option of args.filter((a) => a.startsWith('--'))) expect(text, `${where}: ${option}`).toContain(`'${option.slice(2)}'`.replace(/^'(\w+)'$/, '$1:'));
  const scenarios = /SCENARIOS = \[([^\]]*)\]/.exec(text)?.[1] ?? '';
  const scenario = flag(args, '--scenario');
  if (scenario) expect(scenarios, `${where}: scenario ${scenario}`).toContain(`'${scenario}'`);
  const logFile = flag(args, '--log-file');
  expect(logFile, `${where}: --log-file`).toBeDefined();
  return logFile ?? '';
}

function expectEnvKnown(where: string, keys: string[], config?: ConfigUse): void {
  const known = knownEnvKeys();
  for (const v of config?.vars ?? []) known.add(v.name);
  for (const key of keys) expect([...known], `${where}: env ${key} is read by the code or the mounted config`).toContain(key);
}

function expectVarsProvided(use: ConfigUse, provided: Set<string>): void {
  for (const v of use.vars) {
    if (v.hasDefault || OPTIONAL_SECRET_KEYS.has(v.key)) continue;
    expect([...provided], `${use.where}: \${${v.name}} on ${v.key} must be set in the container`).toContain(v.name);
  }
}

/** Static base directory of a glob (`/logs/*.log` → `/logs`). */
const globBase = (glob: string): string => picomatch.scan(glob).base;
const under = (path: string, dir: string): boolean => path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

describe('deploy/ manifests parse', () => {
  it.each(manifestFiles)('%s', (file) => {
    const docs = parseAllDocuments(read(file), { merge: true });
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      expect(doc.errors.map((e) => e.message), file).toEqual([]);
      expect(doc.toJS(), file).toBeTruthy();
    }
  });

  it('every Kubernetes document has apiVersion, kind and a name', () => {
    expect(k8sDocs.length).toBeGreaterThan(4);
    for (const { file, doc } of k8sDocs.filter((d) => !d.file.endsWith('prometheus-scrape-config.yaml'))) {
      expect(doc.apiVersion, file).toBeTruthy();
      expect(doc.kind, file).toBeTruthy();
      expect(doc.metadata?.name, file).toBeTruthy();
    }
  });

  it('the image default and the Compose config are valid sentinel.yaml files', () => {
    loadSentinelConfig('deploy/docker/sentinel.yaml', read('deploy/docker/sentinel.yaml'));
    loadSentinelConfig('deploy/compose/sentinel.yaml', read('deploy/compose/sentinel.yaml'));
  });
});

describe('deploy configs load with the real config loader, in the environment their container gets', () => {
  const configMap = kind('ConfigMap').find((cm) => cm.metadata.name === 'sentinel-config');
  const cases: { where: string; text: string; env: NodeJS.ProcessEnv }[] = [
    { where: 'deploy/docker/sentinel.yaml', text: read('deploy/docker/sentinel.yaml'), env: {} },
    { where: 'deploy/compose/sentinel.yaml', text: read('deploy/compose/sentinel.yaml'), env: { SENTINEL_BRAIN_TOKEN: 'compose-local-token' } },
    { where: 'ConfigMap sentinel-config', text: configMap?.data?.['sentinel.yaml'] ?? '', env: { SENTINEL_BRAIN_TOKEN: 'from-the-secret' } },
  ];

  it.each(cases)('$where', ({ where, text, env }) => {
    for (const webhook of [undefined, 'https://hooks.slack.com/services/T0/B0/x']) {
      const result = evaluateConfigText(text, where, webhook ? { ...env, SLACK_WEBHOOK_URL: webhook } : env);
      expect(result.problems, where).toEqual([]);
      const config = result.config;
      // Without a webhook: no Slack destination (alerts to the log); with one: Slack.
      expect(config?.notify.slack.map((d) => d.webhook_url)).toEqual(webhook ? [webhook] : []);
      expect(config?.server.port).toBe(9464);
      expect(config?.state_dir).toBe('/var/lib/sentinel');
    }
  });
});

describe('Kubernetes: pipeline pod with the Sentinel sidecar', () => {
  const configMaps = new Map(kind('ConfigMap').map((cm) => [cm.metadata.name as string, cm]));
  const secrets = kind('Secret');
  const secretKeys = (name: string): string[] => {
    const secret = secrets.find((s) => s.metadata.name === name);
    return Object.keys({ ...(secret?.stringData ?? {}), ...(secret?.data ?? {}) });
  };
  const workloads = [...kind('Job'), ...kind('Deployment')].map((w) => ({ name: w.metadata.name as string, pod: w.spec.template as Doc }));
  const sidecarPods = workloads.filter((w) => [...(w.pod.spec.initContainers ?? []), ...w.pod.spec.containers].some((c: Doc) => c.args?.[0] === 'run'));

  it('has a pipeline workload with a sentinel sidecar', () => {
    expect(sidecarPods.map((w) => w.name)).toEqual(['aio-pipeline']);
  });

  for (const { name, pod } of sidecarPods) {
    const spec = pod.spec;
    const containers: Doc[] = [...(spec.initContainers ?? []), ...spec.containers];
    const sentinel = containers.find((c) => c.args?.[0] === 'run') as Doc;
    const volumes = new Map((spec.volumes as Doc[]).map((v) => [v.name as string, v]));
    const mountOf = (container: Doc, path: string): Doc | undefined =>
      (container.volumeMounts as Doc[]).filter((m) => under(path, m.mountPath)).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];

    const configPath = flag(sentinel.args, '--config') ?? '';
    const configMount = mountOf(sentinel, configPath);
    const configMap = configMaps.get(volumes.get(configMount?.name)?.configMap?.name);
    const configText = configMap?.data?.[posix.basename(configPath)] as string | undefined;

    it(`${name}: the sidecar runs a CLI command that exists, on a config mounted from a ConfigMap`, () => {
      expect(sentinel.image).toMatch(SENTINEL_IMAGE);
      expectCliArgs(`${name}/sentinel`, sentinel.args);
      expect(configMount?.mountPath, `${configPath} is mounted`).toBe(posix.dirname(configPath));
      expect(configText, `ConfigMap key ${posix.basename(configPath)}`).toBeDefined();
    });

    it(`${name}: ports, probes and scrape annotations match the config and the agent's routes`, () => {
      const use = loadSentinelConfig(`${name} ConfigMap`, configText ?? '');
      const port = use.config.server.port as number;
      const ports = sentinel.ports as Doc[];
      const resolve = (p: string | number): number => (typeof p === 'number' ? p : ports.find((x) => x.name === p)?.containerPort);
      expect(ports.map((p) => p.containerPort)).toEqual([port]);
      const routes = agentRoutes();
      expect(routes.has('/healthz') && routes.has('/readyz') && routes.has('/metrics')).toBe(true);
      expect(sentinel.livenessProbe.httpGet.path).toBe('/healthz');
      expect(sentinel.readinessProbe.httpGet.path).toBe('/readyz');
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const http = sentinel[probe]?.httpGet;
        if (!http) continue;
        expect(routes, `${probe} ${http.path}`).toContain(http.path);
        expect(resolve(http.port), `${probe} port`).toBe(port);
      }
      const annotations = pod.metadata.annotations ?? {};
      expect(annotations['prometheus.io/scrape']).toBe('true');
      expect(Number(annotations['prometheus.io/port'])).toBe(port);
      expect(routes).toContain(annotations['prometheus.io/path']);
    });

    it(`${name}: state_dir is on a writable volume, the logs on a shared emptyDir the sources cover`, () => {
      const use = loadSentinelConfig(`${name} ConfigMap`, configText ?? '');
      const stateMount = mountOf(sentinel, use.config.state_dir);
      expect(stateMount, `state_dir ${use.config.state_dir} mounted`).toBeDefined();
      expect(stateMount?.readOnly ?? false).toBe(false);
      const stateVolume = volumes.get(stateMount?.name);
      expect(Boolean(stateVolume?.emptyDir || stateVolume?.persistentVolumeClaim), 'state on an emptyDir or a PVC').toBe(true);

      const pipeline = spec.containers.find((c: Doc) => c !== sentinel) as Doc;
      const command = [...(pipeline.command ?? []), ...(pipeline.args ?? [])] as string[];
      const script = command.find((a) => a.endsWith('.js')) ?? '';
      const logFile = expectPipelineArgs(`${name}/pipeline`, script, command.slice(command.indexOf(script) + 1));
      const pipelineMount = mountOf(pipeline, logFile);
      expect(volumes.get(pipelineMount?.name)?.emptyDir, 'logs on an emptyDir').toBeDefined();
      const sidecarMount = (sentinel.volumeMounts as Doc[]).find((m) => m.name === pipelineMount?.name);
      expect(sidecarMount, 'the sidecar mounts the same log volume').toBeDefined();
      // The same file, seen from the sidecar, is matched by a source glob.
      const seen = posix.join(sidecarMount.mountPath, posix.relative(pipelineMount.mountPath, logFile));
      const globs = (use.config.sources as Doc[]).flatMap((s) => s.paths as string[]);
      expect(globs.some((g) => picomatch(g)(seen)), `${seen} matched by ${globs.join(', ')}`).toBe(true);
      for (const g of globs) expect(mountOf(sentinel, globBase(g)), `glob ${g} under a mount`).toBeDefined();
    });

    it(`${name}: secrets and env keys exist in the code; resources and grace period fit`, () => {
      const use = loadSentinelConfig(`${name} ConfigMap`, configText ?? '');
      const fromSecrets = (sentinel.envFrom ?? []).flatMap((e: Doc) => (e.secretRef ? secretKeys(e.secretRef.name) : []));
      const direct = (sentinel.env ?? []).map((e: Doc) => e.name as string);
      expectEnvKnown(`${name}/sentinel`, [...direct, ...fromSecrets], use);
      expectVarsProvided(use, new Set([...direct, ...fromSecrets]));
      expect(sentinel.resources.requests.memory).toMatch(/^\d+Mi$/);
      expect(sentinel.resources.requests.cpu).toMatch(/^\d+m$/);
      expect(parseInt(sentinel.resources.limits.memory, 10)).toBeGreaterThanOrEqual(parseInt(sentinel.resources.requests.memory, 10));
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(deadlineSeconds);
    });
  }

  it('the Secret holds only keys the code or a mounted config reads', () => {
    const configVars = [...configMaps.values()].flatMap((cm) => loadSentinelConfig(cm.metadata.name, cm.data['sentinel.yaml']).vars);
    for (const secret of secrets) expectEnvKnown(`Secret ${secret.metadata.name}`, Object.keys(secret.stringData ?? {}), { where: '', config: {}, vars: configVars });
  });
});

describe('Kubernetes: the shared brain', () => {
  const deployment = kind('Deployment').find((d) => d.metadata.name === 'sentinel-brain');
  const service = kind('Service').find((s) => s.metadata.name === 'sentinel-brain');
  const brain = deployment?.spec.template.spec.containers[0] as Doc;

  it('runs `sentinel brain` on the port its Service and the agents use', () => {
    expect(brain.image).toMatch(SENTINEL_IMAGE);
    expect(expectCliArgs('brain', brain.args)).toBe('brain');
    const port = Number(flag(brain.args, '--port') ?? defaultBrainPort());
    expect(port).toBe(defaultBrainPort());
    const named = (brain.ports as Doc[]).find((p) => p.containerPort === port);
    expect(named, `containerPort ${port}`).toBeDefined();
    expect(service.spec.ports[0].targetPort).toBe(named.name);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    const configMap = kind('ConfigMap').find((cm) => cm.metadata.name === 'sentinel-config');
    const url = (parse(configMap.data['sentinel.yaml']) as Doc).brain.url as string;
    expect(url).toBe(`http://${service.metadata.name}:${service.spec.ports[0].port}`);
  });

  it('probes routes the brain serves and sets only known env keys', () => {
    const routes = brainRoutes();
    for (const probe of ['livenessProbe', 'readinessProbe']) expect(routes, probe).toContain(brain[probe].httpGet.path);
    expectEnvKnown('brain', (brain.env as Doc[]).map((e) => e.name));
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(deadlineSeconds);
  });

  it('the Prometheus example scrapes the jobs the alert rules watch', () => {
    const scrape = k8sDocs.find((d) => d.file.endsWith('prometheus-scrape-config.yaml'))?.doc;
    const jobs = (scrape.scrape_configs as Doc[]).map((j) => j.job_name as string);
    const rules = read('deploy/prometheus/sentinel-alerts.yml');
    for (const job of jobs) expect(rules).toMatch(new RegExp(`job=~"[^"]*\\b${job}\\b`));
    expect(scrape.rule_files).toEqual(['/etc/prometheus/rules/sentinel-alerts.yml']);
  });
});

describe('Compose try-out', () => {
  const services = compose.services as Record<string, Doc>;
  const deployDir = join(REPO, 'deploy');
  const hostPath = (spec: string): string => join(deployDir, spec.split(':')[0] ?? '');
  const mounts = (service: Doc): { source: string; target: string }[] =>
    (service.volumes as string[]).map((v) => ({ source: v.split(':')[0] ?? '', target: v.split(':')[1] ?? '' }));
  const envKeys = (service: Doc): string[] => (service.environment as string[]).map((e) => e.split('=')[0] ?? '');

  it('has pipeline, sentinel, brain, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(['brain', 'grafana', 'pipeline', 'prometheus', 'sentinel']);
  });

  it('sentinel: a real command, a mounted valid config, ports, state volume, env and grace period', () => {
    const sentinel = services.sentinel;
    expect(sentinel.build.dockerfile).toBe('Dockerfile');
    expect(existsSync(join(deployDir, sentinel.build.context, 'Dockerfile'))).toBe(true);
    expectCliArgs('compose sentinel', sentinel.command);
    const configPath = flag(sentinel.command, '--config');
    const configMount = mounts(sentinel).find((m) => m.target === configPath);
    expect(configMount, `${configPath} mounted`).toBeDefined();
    const use = loadSentinelConfig(configMount?.source ?? '', read(posix.join('deploy', configMount?.source ?? '')));
    expect(sentinel.ports).toContain(`${use.config.server.port}:${use.config.server.port}`);
    expect(mounts(sentinel).some((m) => m.target === use.config.state_dir && compose.volumes[m.source] !== undefined)).toBe(true);
    expectEnvKnown('compose sentinel', envKeys(sentinel), use);
    expectVarsProvided(use, new Set(envKeys(sentinel)));
    expect(parseInt(sentinel.stop_grace_period, 10)).toBeGreaterThan(deadlineSeconds);
    // The shared brain, as the config names it.
    expect(use.config.brain.url).toBe(`http://brain:${flag(services.brain.command, '--port')}`);
  });

  it('pipeline: writes its log into the volume whose files the agent follows', () => {
    const script = /node (\S+\.js)/.exec(services.pipeline.command[0])?.[1] ?? '';
    const args = /\.js (.*?)(\|\||$)/m.exec(services.pipeline.command[0])?.[1]?.trim().split(/\s+/) ?? [];
    const logFile = expectPipelineArgs('compose pipeline', script, args);
    const mount = mounts(services.pipeline).find((m) => under(logFile, m.target));
    const sidecar = mounts(services.sentinel).find((m) => m.source === mount?.source);
    expect(sidecar, 'sentinel mounts the same volume').toBeDefined();
    const use = loadSentinelConfig('compose', read('deploy/compose/sentinel.yaml'));
    const seen = posix.join(sidecar?.target ?? '', posix.relative(mount?.target ?? '', logFile));
    expect((use.config.sources as Doc[]).some((s) => (s.paths as string[]).some((g) => picomatch(g)(seen)))).toBe(true);
  });

  it('brain: a real command, a health check on a route it serves, known env keys', () => {
    const brain = services.brain;
    expectCliArgs('compose brain', brain.command);
    const port = flag(brain.command, '--port');
    expect(brain.ports).toContain(`${port}:${port}`);
    expect(brain.healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
    expect(brainRoutes()).toContain('/healthz');
    expectEnvKnown('compose brain', envKeys(brain));
  });

  it('Prometheus and Grafana mount files that exist, and scrape the right ports', () => {
    for (const name of ['prometheus', 'grafana']) {
      for (const volume of services[name].volumes as string[]) expect(existsSync(hostPath(volume)), `${name}: ${volume}`).toBe(true);
    }
    const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as Doc;
    const targets = (prometheus.scrape_configs as Doc[]).flatMap((j) => j.static_configs.flatMap((s: Doc) => s.targets as string[]));
    const use = loadSentinelConfig('compose', read('deploy/compose/sentinel.yaml'));
    expect(targets).toEqual([`sentinel:${use.config.server.port}`, `brain:${flag(services.brain.command, '--port')}`]);
    // The brain asks for its token on /metrics too; Prometheus must send the Compose default.
    const brainJob = (prometheus.scrape_configs as Doc[]).find((j) => j.job_name === 'sentinel-brain');
    expect(services.brain.environment).toContain(`SENTINEL_BRAIN_TOKEN=\${SENTINEL_BRAIN_TOKEN:-${brainJob.authorization.credentials}}`);
    for (const file of prometheus.rule_files as string[]) expect(existsSync(join(REPO, 'deploy/prometheus', file))).toBe(true);
    const provider = parse(read('deploy/grafana/provisioning/dashboards/sentinel.yaml')) as Doc;
    const dashboardMount = mounts(services.grafana).find((m) => m.source.endsWith('sentinel-dashboard.json'));
    expect(posix.dirname(dashboardMount?.target ?? '')).toBe(provider.providers[0].options.path);
    const datasource = parse(read('deploy/grafana/provisioning/datasources/prometheus.yaml')) as Doc;
    expect(datasource.datasources[0].url).toBe(`http://prometheus:${services.prometheus.ports[0].split(':')[1]}`);
    expect(dirname(hostPath('./grafana/provisioning'))).toBe(join(deployDir, 'grafana'));
  });
});
