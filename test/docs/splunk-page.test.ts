// docs/commands/splunk.md: every Splunk search it shows (an ```spl block followed by a table) is run through the
// app's commands on the protocol (test/helpers/spl-emulator.ts stands for splunkd) against the page's scenario,
// and its table compared with what comes out; the conf snippets it shows are the app's own files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioBackend } from '../../src/cli/splunk-scenario.js';
import { loadScenarioFile } from '../../sdk-mock/index.js';
import type { Row } from '../../src/index.js';
import { markdownTable } from '../helpers/markdown-table.js';
import { runSplunkSearch } from '../helpers/spl-emulator.js';

const root = join(import.meta.dirname, '..', '..');
const docs = join(root, 'docs', 'commands');
const page = readFileSync(join(docs, 'splunk.md'), 'utf8');

const examples = [...page.matchAll(/^ {4}```spl\n {4}(.+)\n {4}```\n\n((?: {4}\|.*\n?)+)/gm)].map((m) => ({
  search: m[1]!,
  shown: m[2]!.trimEnd().split('\n').map((l) => l.slice(4)),
}));

/** Splunk shows an empty field as nothing: drop the empty strings the CSV round trip leaves. */
function shownRow(record: Record<string, string | string[]>): Row {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== ''));
}

describe('docs/commands/splunk.md', () => {
  it('shows the reference page’s three examples as Splunk searches', () => {
    expect(examples.map((e) => e.search)).toEqual(
      expect.arrayContaining([
        '| sentrylist | fields guid | sentrynetstat',
        '| sentrylist | fields guid | sentrynetstat | search state="LISTEN"',
        '| sentrylist | fields guid | sentrynetstat timeout=60',
      ]),
    );
  });

  it.each(examples.map((e) => [e.search, e] as const))('%s', async (_search, { search, shown }) => {
    const backend = scenarioBackend(await loadScenarioFile(join(docs, 'scenarios', 'sentry-netstat.json')));
    const records = await runSplunkSearch(search, backend);
    expect(shown).toEqual(markdownTable(records.map(shownRow)));
  });

  it('a user without run_sentry_rpc gets 23100 as the search’s error, as the page says', async () => {
    const backend = scenarioBackend(await loadScenarioFile(join(docs, 'scenarios', 'sentry-netstat.json')));
    await expect(runSplunkSearch('| sentrylist | fields guid | sentrynetstat', backend, 'analyst')).rejects.toThrow(
      '23100 No permission to call sentry RPC.',
    );
    expect(page).toContain('23100 No permission to call sentry RPC.');
  });
});
