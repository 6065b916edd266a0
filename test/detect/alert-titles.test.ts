// Every built-in rule has a title written for the alert (short, no trailing period), and no title
// names a rule that no longer exists.
import { describe, expect, it } from 'vitest';
import { BUILTIN_PACKS } from '../../src/detect/packs/index.js';
import { ALERT_TITLES } from '../../src/detect/packs/alert-titles.js';
import { createDetector } from '../../src/detect/detector.js';
import { defaultConfig } from '../../src/config/load-config.js';

const ruleIds = BUILTIN_PACKS.flatMap((p) => p.rules.map((r) => r.id));

describe('alert titles of the built-in rules', () => {
  it.each(ruleIds)('%s has a short title for people', (id) => {
    const title = ALERT_TITLES[id];
    expect(title, `add a title for ${id} to src/detect/packs/alert-titles.ts`).toBeDefined();
    expect(title!.length).toBeLessThanOrEqual(60);
    expect(title).not.toMatch(/[.:]$/);
    expect(title).not.toMatch(/[`(]/);
  });

  it('names no rule that does not exist', () => {
    expect(Object.keys(ALERT_TITLES).filter((id) => !ruleIds.includes(id))).toEqual([]);
  });

  it('reaches the rules the detector hands on, beside the maintainer description', () => {
    const rules = createDetector(defaultConfig()).rules;
    const retry = rules.find((r) => r.id === 'airflow.task-retry');
    expect(retry?.title).toBe('Airflow task attempt failed');
    expect(retry?.description).toMatch(/retried/);
  });
});
