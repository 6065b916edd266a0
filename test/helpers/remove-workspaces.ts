// Setup file (vitest.config.ts): after each test file's own hooks have stopped its agents, remove the
// temp workspaces it made, so a run of the suite leaves nothing behind in the temp dir.
import { afterAll } from 'vitest';
import { removeWorkspaces } from './agent-workspace.js';

afterAll(() => removeWorkspaces());
