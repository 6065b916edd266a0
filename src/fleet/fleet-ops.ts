// The operations the fleet runs against Redis: the closed label set of sentinel_fleet_errors_total{op}.
export const FLEET_OPS = [
  // the connection itself (each failed reconnection attempt)
  'connect',
  // agents: incident claims and the fleet-wide count
  'join',
  'occurrences',
  'announced',
  'realert',
  'resolve',
  'view',
  // brains: diagnosis cache, single flight, daily budget, LLM rate-limit cool-off
  'cache_get',
  'cache_set',
  'flight',
  'budget',
  'cooloff',
] as const;
export type FleetOp = (typeof FLEET_OPS)[number];
