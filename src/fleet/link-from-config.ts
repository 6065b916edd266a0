// The process's Redis link from config (agents and `sentinel brain` alike): null when
// fleet.redis_url is not set, and then nothing of the fleet exists in the process.
import type { SentinelConfig } from '../config/config-types.js';
import type { Logger } from '../log.js';
import { initFleetSeries, type Metrics } from '../metrics/metrics.js';
import { createFleetLink, type FleetLink } from './fleet-link.js';

export function createFleetLinkFromConfig(config: SentinelConfig, deps: { metrics: Metrics; logger: Logger }): FleetLink | null {
  const fleet = config.fleet;
  if (!fleet.redis_url) return null;
  initFleetSeries(deps.metrics);
  return createFleetLink({
    url: fleet.redis_url,
    keyPrefix: fleet.key_prefix,
    member: fleet.member,
    commandTimeoutMs: fleet.timeout_ms,
    metrics: deps.metrics,
    logger: deps.logger,
  });
}
