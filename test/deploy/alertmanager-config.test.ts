// deploy/alertmanager/ is what the README tells a fleet to run: the real `amtool` must accept the
// config (route, inhibition, receivers) and render the Slack template with the diagnosis from an
// agent's annotations.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool } from '../metrics/prometheus-tools.js';

const DIR = join(import.meta.dirname, '..', '..', 'deploy', 'alertmanager');

describe('deploy/alertmanager', () => {
  it('amtool check-config accepts the config with its template', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'sentinel-amtool-'));
    try {
      // The config points at the paths it has inside the container; here they are the repository's.
      const secret = join(tmp, 'slack-webhook-url');
      await writeFile(secret, 'https://hooks.slack.com/services/T000/B000/XXXX\n');
      const config = (await readFile(join(DIR, 'alertmanager.yml'), 'utf8'))
        .replace('/etc/alertmanager/templates/', `${join(DIR, 'templates')}/`)
        .replace('/etc/alertmanager/secrets/slack-webhook-url', secret);
      await writeFile(join(tmp, 'alertmanager.yml'), config);
      const check = await runTool('amtool', ['check-config', join(tmp, 'alertmanager.yml')]);
      expect(check.code, check.stdout + check.stderr).toBe(0);
      expect(check.stdout).toContain('1 inhibit rules');
      expect(check.stdout).toContain('1 templates');
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('the Slack template renders the title and body', async () => {
    const glob = `--template.glob=${join(DIR, 'templates', '*.tmpl')}`;
    const title = await runTool('amtool', ['template', 'render', glob, '--template.text={{ template "sentinel.slack.title" . }}']);
    expect(title.code, title.stderr).toBe(0);
    const text = await runTool('amtool', ['template', 'render', glob, '--template.text={{ template "sentinel.slack.text" . }}']);
    expect(text.code, text.stderr).toBe(0);
    // amtool's example data is a resolved group: each alert says when it resolved.
    expect(text.stdout).toMatch(/Resolved at \d{4}-\d\d-\d\d/);
  });
});
