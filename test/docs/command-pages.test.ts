// The command pages in docs/commands/ cannot drift from the code: their tables are rebuilt from each command's
// help metadata and error list, and every example is run against the scenario kept beside the docs, its shown
// output compared with what the query really returns.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, sentryNetstatCommand, sonarSentryNetstatCommand, type CommandParser } from '../../src/index.js';
import { MockHost, loadScenarioFile } from '../../sdk-mock/index.js';
import { markdownTable } from '../helpers/markdown-table.js';

const docs = join(import.meta.dirname, '..', '..', 'docs', 'commands');
const pages: readonly CommandParser[] = [sentryNetstatCommand, sonarSentryNetstatCommand];

const typeWord = (t: string): string => (t === 'int' ? 'integer' : t);
const supported = (b: boolean): string => (b ? 'Supported' : 'Not supported');
const capital = (s: string): string => s[0]!.toUpperCase() + s.slice(1);

/** Each example: its query and the table lines shown under it. */
function examplesOf(page: string): { query: string; shown: string[] }[] {
  return [...page.matchAll(/^ {4}```\n {4}(.+)\n {4}```\n\n((?: {4}\|.*\n?)+)/gm)].map((m) => ({
    query: m[1]!,
    shown: m[2]!.trimEnd().split('\n').map((l) => l.slice(4)),
  }));
}

describe.each(pages.map((p) => [p.name, p] as const))('docs/commands/%s.md', (name, command) => {
  const page = readFileSync(join(docs, `${name}.md`), 'utf8');
  const { help } = command;

  it('has the properties, syntax and options of the help metadata', () => {
    const p = help.properties;
    for (const row of [
      `| Command type | ${capital(p.commandType)} |`,
      `| Required permission | ${capital(p.requiredPermission)} |`,
      `| License usage | ${p.licenseUsage} |`,
      `| Parallel execution | ${supported(p.parallelExecution)} |`,
      `| Distributed execution | ${supported(p.distributedExecution)} |`,
      `\`\`\`\n${help.syntax}\n\`\`\``,
      ...help.options.map((o) => `| \`${o.name}=${o.type === 'int' ? 'INT' : o.type.toUpperCase()}\` | ${o.description} (Default: ${String(o.default)}) |`),
    ]) expect(page).toContain(row);
  });

  it('lists exactly the input and output fields, with their types', () => {
    const rows = (from: string, to: string) => page.split(from)[1]!.split(to)[0]!.split('\n').filter((l) => /^\| [a-z_]+ \|/.test(l));
    expect(rows('## Input fields', '## Output fields')).toEqual(
      help.inputFields.map((f) => `| ${f.name} | ${typeWord(f.type)} | ${f.required ? 'Required' : 'Optional'} | ${f.description} |`));
    expect(rows('## Output fields', '## Error codes')).toEqual(help.outputFields.map((f) => `| ${f.name} | ${typeWord(f.type)} | ${f.description} |`));
  });

  it('documents every error code the command can throw, and every runtime error', () => {
    for (const e of [ERRORS.NO_SENTRY_RPC_PERMISSION, ERRORS.INVALID_SENTRY_RPC_TIMEOUT]) {
      expect(page).toContain(`| ${e.code} | ${e.render(0)} | ${e.description} |`);
    }
    for (const e of command.errors) expect(page).toContain(String(e.code));
    // The runtime table lists exactly the command's runtime errors, in order.
    const runtime = page.split('### Runtime errors')[1]!.split('\n## ')[0]!.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Error message'));
    expect(runtime).toEqual(help.runtimeErrors.map((e) => `| ${e.message} | ${e.description} |`));
  });

  it('shows for each example exactly what the query returns', async () => {
    const scenario = /<!-- The examples run against (scenarios\/[\w-]+\.json)/.exec(page)?.[1];
    expect(scenario, 'the page names its scenario').toBeDefined();
    const examples = examplesOf(page);
    expect(examples).toHaveLength(3);
    for (const { query, shown } of examples) {
      const host = new MockHost(await loadScenarioFile(join(docs, scenario!)));
      expect(shown, query).toEqual(markdownTable(await host.query(query)));
    }
  });
});
