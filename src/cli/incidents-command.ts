// `sentinel incidents`: what the agent's state holds (open, held for a digest, recently resolved),
// with whether and when each was announced, so nothing held back or digested is out of sight.
// Reads state_dir only; safe while the agent runs.
import { readIncidentListing, type IncidentListing } from '../incident/incident-listing.js';
import { resolveConfig } from './resolve-config.js';

const ANNOUNCED: Record<IncidentListing['announcement'], string> = {
  announced: 'announced',
  announcing: 'being announced',
  held_for_digest: 'held for the storm digest',
  not_yet: 'not announced yet',
};

function asText(row: IncidentListing): string {
  const where = [row.pipeline, row.step].filter(Boolean).join(' › ') || row.source;
  const announced = `${ANNOUNCED[row.announcement]}${row.announcedAt ? ` at ${row.announcedAt}` : ''}`;
  return [
    `${row.status === 'open' ? 'OPEN' : 'RESOLVED'} [${row.severity}] ${row.rule} ×${row.count} · ${where} · ${row.id}`,
    `  ${row.summary}${row.category ? ` (${row.category})` : ''}`,
    `  file ${row.file} · first ${row.firstSeen} · last ${row.lastSeen}${row.resolvedAt ? ` · resolved ${row.resolvedAt}${row.resolvedBecause ? ` (${row.resolvedBecause})` : ''}` : ''} · ${announced}`,
  ].join('\n');
}

export async function runIncidentsCommand(configFile: string | undefined, format: 'json' | 'text'): Promise<number> {
  const config = resolveConfig(configFile);
  const rows = await readIncidentListing(config.state_dir);
  if (format === 'json') for (const row of rows) console.log(JSON.stringify(row));
  else if (rows.length === 0) console.log(`No incidents in ${config.state_dir}.`);
  else console.log(rows.map(asText).join('\n\n'));
  return 0;
}
