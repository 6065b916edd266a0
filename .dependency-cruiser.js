// The allowed direction of imports between the folders of src/ (docs/architecture.md, "Allowed
// imports"), checked by `npm run imports` in the gate (`npm test`, CI). No exceptions are listed
// here on purpose: code that wants to import against these arrows belongs somewhere else.
//
// Data flows source → parse → detect → incident → brain (diagnose) → notify. Imports point the
// other way only: a stage may use what comes before it in the flow (the value it takes, helpers
// and contracts defined upstream), never what comes after it. Everything may use the foundation
// (config, state, metrics, redact) and the shared values at the top of src/ (types.ts, errors.ts,
// log.ts, version.ts). The assembly (agent) may use every stage; the command line (cli) may use
// everything, and nothing uses the command line.

/** The stages in the order records flow through them. */
const STAGES = ['source', 'parse', 'detect', 'incident', 'brain', 'notify'];

/** What every stage stands on, each with the foundation folders it may import itself. */
const FOUNDATION = {
  config: [],
  state: [],
  metrics: [],
  redact: ['config'],
};

/** Folder → the other src/ folders it may import (besides itself and the files at the top of src/). */
export const MAY_IMPORT = {
  ...FOUNDATION,
  ...Object.fromEntries(STAGES.map((stage, i) => [stage, [...Object.keys(FOUNDATION), ...STAGES.slice(0, i)]])),
  // Beside the flow: operator silences (read by the agent, written by the CLI), the HTTP endpoints,
  // and the fleet (agents and brains sharing incident claims, diagnoses and LLM limits through
  // Redis: it implements what the incident stage and the brain let be shared, and reports its
  // readiness through the server).
  silence: [...Object.keys(FOUNDATION)],
  server: [...Object.keys(FOUNDATION)],
  fleet: [...Object.keys(FOUNDATION), 'incident', 'brain', 'server'],
  // The assembly of the stages for every command, and the command line on top.
  agent: [...Object.keys(FOUNDATION), ...STAGES, 'silence', 'server', 'fleet'],
  cli: [...Object.keys(FOUNDATION), ...STAGES, 'silence', 'server', 'fleet', 'agent'],
};

const FOLDERS = Object.keys(MAY_IMPORT);
const oneOf = (names) => `^src/(${names.join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A cycle makes module load order matter and hides which part depends on which; move the shared piece down instead.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...FOLDERS.map((folder) => ({
      name: `${folder}-imports-upstream-only`,
      comment: `src/${folder}/ may import only ${[folder, ...MAY_IMPORT[folder]].map((f) => `src/${f}/`).join(', ')} and the shared files at the top of src/.`,
      severity: 'error',
      from: { path: `^src/${folder}/` },
      to: { path: '^src/[^/]+/', pathNot: oneOf([folder, ...MAY_IMPORT[folder]]) },
    })),
    {
      name: 'shared-files-import-no-folder',
      comment: 'types.ts, errors.ts, log.ts and version.ts are what every folder shares; they import no folder of src/.',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { path: '^src/[^/]+/' },
    },
    {
      name: 'every-folder-has-a-place',
      comment: `A folder of src/ that is not in MAY_IMPORT (.dependency-cruiser.js) has no place in the flow yet: add it there and to docs/architecture.md.`,
      severity: 'error',
      from: {},
      to: { path: '^src/[^/]+/', pathNot: oneOf(FOLDERS) },
    },
    {
      name: 'every-folder-is-placed',
      comment: `A folder of src/ that is not in MAY_IMPORT (.dependency-cruiser.js) has no place in the flow yet: add it there and to docs/architecture.md.`,
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: oneOf(FOLDERS) },
      to: {},
    },
    {
      name: 'src-stands-alone',
      comment: 'The shipped code never imports the scripts, benchmarks, tests or the demo pipeline.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(scripts|bench|test|pipeline)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too: a type from a later stage is a back edge all the same.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
