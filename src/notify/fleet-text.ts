// How an alert tells people what the fleet saw (Incident.fleet, set by src/fleet before the
// notifier): the fleet-wide occurrence count and the members (pods, hosts) that saw the failure.
import type { Incident } from '../types.js';

/** Occurrences the alert reports: the fleet's total when the fleet shared it, else this agent's. */
export function occurrenceTotal(i: Incident): number {
  return i.fleet?.shared ? Math.max(i.fleet.count, 1) : i.count;
}

/** "3 members: etl-0, etl-1, etl-2" (the rest counted); undefined outside a fleet. Not yet escaped. */
export function seenBy(i: Incident): string | undefined {
  const f = i.fleet;
  if (!f) return undefined;
  const more = f.memberCount - f.members.length;
  const names = `${f.members.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  if (!f.shared) return `${names} (fleet state unreachable: alerted alone, other members may alert too)`;
  return `${f.memberCount} member${f.memberCount === 1 ? '' : 's'}: ${names}`;
}
