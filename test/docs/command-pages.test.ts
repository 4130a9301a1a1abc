// The command pages in docs/commands/ cannot drift from the code: every plugin command (PLUGIN_COMMANDS) has a
// page, its tables are rebuilt from the command's help metadata and error list, and every example is run against
// the page's scenario (a file beside the docs, or a `json scenario` block in the page itself), its shown output
// compared with what the query really returns.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, PLUGIN_COMMANDS } from '../../src/index.js';
import { MockHost, loadScenarioFile, scenarioHostOptions, type MockHostOptions } from '../../sdk-mock/index.js';
import { markdownTable } from '../helpers/markdown-table.js';

const docs = join(import.meta.dirname, '..', '..', 'docs', 'commands');

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

/** The scenario a page's examples run against: the file its marker comment names, or its own `json scenario` block. */
async function scenarioOf(page: string): Promise<MockHostOptions> {
  const file = /<!-- The examples run against (scenarios\/[\w-]+\.json)/.exec(page)?.[1];
  if (file !== undefined) return loadScenarioFile(join(docs, file));
  const inline = /^```json scenario\n([\s\S]*?)\n```$/m.exec(page)?.[1];
  expect(inline, 'the page names its scenario file or has a json scenario block').toBeDefined();
  return scenarioHostOptions(JSON.parse(inline!), 'the page\'s json scenario block');
}

describe.each(PLUGIN_COMMANDS.map((p) => [p.name, p] as const))('docs/commands/%s.md', (name, command) => {
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
    const scenario = await scenarioOf(page);
    const examples = examplesOf(page);
    expect(examples.length, 'the page shows examples').toBeGreaterThan(0);
    for (const { query, shown } of examples) {
      const host = new MockHost(scenario);
      expect(shown, query).toEqual(markdownTable(await host.query(query)));
    }
  });
});
