// `sentinel brain`: the brain alone, shared by many agents (one API key, one cache, one budget).
import { createBrain } from '../brain/brain.js';
import { chooseLlmEngine } from '../brain/engine-registry.js';
import { buildBrainApp } from '../brain/brain-app.js';
import { createMetrics } from '../metrics/metrics.js';
import type { Logger } from '../log.js';
import { portError } from './port-error.js';
import { resolveConfig } from './resolve-config.js';
import { createFleetLinkFromConfig } from '../fleet/link-from-config.js';
import { sharedBrainState } from '../fleet/brain-fleet.js';

export const DEFAULT_BRAIN_PORT = 8787;

export async function runBrainCommand(configFile: string | undefined, portOption: number | undefined, logger: Logger): Promise<number> {
  const config = resolveConfig(configFile);
  const metrics = createMetrics({ scope: 'brain' });
  // The service itself always diagnoses in-process; brain.url only tells agents where to find it.
  // readSourceFiles off: a shared service must never read files a request's stack frame names.
  // With fleet.redis_url, every replica shares one cache, one flight per failure, one budget.
  const fleet = createFleetLinkFromConfig(config, { metrics, logger });
  await fleet?.connect();
  const brain = createBrain({
    config: { ...config.brain, url: 'embedded' },
    metrics,
    logger,
    readSourceFiles: false,
    auditDir: config.state_dir,
    ...(fleet ? { shared: sharedBrainState(fleet) } : {}),
  });
  const authToken = config.brain.auth_token ?? process.env.SENTINEL_BRAIN_TOKEN;
  const app = buildBrainApp({ brain, registry: metrics.registry, metrics, logger: false, ...(authToken ? { authToken } : {}) });
  const port = portOption ?? Number(process.env.PORT ?? DEFAULT_BRAIN_PORT);
  try {
    await app.listen({ port, host: process.env.HOST ?? '0.0.0.0' });
  } catch (error) {
    await brain.close();
    await fleet?.close();
    throw portError(error, port, 'brain --port');
  }
  const address = app.server.address();
  logger.info({ port: address && typeof address === 'object' ? address.port : port, engine: chooseLlmEngine(config.brain)?.name ?? 'builtin' }, 'Sentinel brain listening.');
  return new Promise<number>((resolve) => {
    const stop = (): void => {
      void app
        .close()
        .then(() => brain.close())
        .then(() => fleet?.close())
        .then(() => resolve(0));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
