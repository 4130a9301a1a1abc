// docs/query-language.md cannot drift from the host: it names every built-in command, and every example is run
// against the page's `json scenario` block, its shown output (a table, or the parse error the CLI prints)
// compared with what the query really gives, as test/docs/command-pages.test.ts does for the command pages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinCommands } from '../../src/host/index.js';
import { MockHost, scenarioHostOptions } from '../../sdk-mock/index.js';
import { markdownTable } from '../helpers/markdown-table.js';

const page = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'query-language.md'), 'utf8');

/** Each example: its query, and either the table lines or the one error line shown under it. */
function examplesOf(text: string): { query: string; table?: string[]; error?: string }[] {
  return [...text.matchAll(/^ {4}```\n {4}(.+)\n {4}```\n\n(?:((?: {4}\|.*\n?)+)| {4}```text\n {4}(.+)\n {4}```)/gm)].map((m) => ({
    query: m[1]!,
    ...(m[2] === undefined ? { error: m[3]! } : { table: m[2].trimEnd().split('\n').map((l) => l.slice(4)) }),
  }));
}

const scenario = (): ReturnType<typeof scenarioHostOptions> => {
  const block = /^```json scenario\n([\s\S]*?)\n```$/m.exec(page)?.[1];
  expect(block, 'the page has a json scenario block').toBeDefined();
  return scenarioHostOptions(JSON.parse(block!), "the page's json scenario block");
};

/** What a query gives: its records as a table, or the `CODE MESSAGE` line of its parse error. */
async function outcome(query: string): Promise<{ table?: string[]; error?: string }> {
  try {
    return { table: markdownTable(await new MockHost(scenario()).query(query)) };
  } catch (error) {
    return { error: String(error) };
  }
}

describe('docs/query-language.md', () => {
  it('names every built-in command with its syntax', () => {
    for (const command of builtinCommands) expect(page, command.name).toContain(`| \`${command.name}\` |`);
  });

  it('shows for each example exactly what the query gives', async () => {
    const examples = examplesOf(page);
    expect(examples.length, 'the page shows examples').toBeGreaterThanOrEqual(12);
    for (const { query, ...shown } of examples) expect(await outcome(query), query).toEqual(shown);
  });

  it('has an example of each command and function added for administrators', () => {
    const queries = examplesOf(page).map((e) => e.query);
    for (const word of ['| where ', '| rename ', '| dedup ', '| top ', 'dc(', 'cidrmatch(', '== "10.0.0.0/8"']) {
      expect(queries.some((q) => q.includes(word)), word).toBe(true);
    }
  });
});
