// docs/commands/sonar-sentry-netstat.md cannot drift: its tables are rebuilt from the command's help
// metadata, and its examples are run over the offline cluster of examples/cluster.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, sonarSentryNetstatCommand } from '../../src/index.js';
import { MockHost, loadScenarioFile } from '../../sdk-mock/index.js';

const root = join(import.meta.dirname, '..', '..');
const page = readFileSync(join(root, 'docs', 'commands', 'sonar-sentry-netstat.md'), 'utf8');
const { help } = sonarSentryNetstatCommand;
const typeWord = (t: string): string => (t === 'int' ? 'integer' : t);
const supported = (b: boolean): string => (b ? 'Supported' : 'Not supported');

describe('docs/commands/sonar-sentry-netstat.md', () => {
  it('has the command properties, syntax and options of the help metadata', () => {
    const p = help.properties;
    for (const row of [
      `| Command type | ${p.commandType[0]!.toUpperCase()}${p.commandType.slice(1)} |`,
      `| Required permission | Administrator |`,
      `| License usage | ${p.licenseUsage} |`,
      `| Parallel execution | ${supported(p.parallelExecution)} |`,
      `| Distributed execution | ${supported(p.distributedExecution)} |`,
      help.syntax,
      ...help.options.map((o) => `| \`${o.name}=INT\` | ${o.description} (Default: ${String(o.default)}) |`),
    ]) expect(page).toContain(row);
  });

  it('lists exactly the input and output fields, with their types', () => {
    for (const f of help.inputFields) expect(page).toContain(`| ${f.name} | ${typeWord(f.type)} | ${f.required ? 'Required' : 'Optional'} | ${f.description} |`);
    const outputRows = page.split('## Output fields')[1]!.split('## Error codes')[0]!.split('\n').filter((l) => /^\| [a-z_]+ \|/.test(l));
    expect(outputRows).toEqual(help.outputFields.map((f) => `| ${f.name} | ${typeWord(f.type)} | ${f.description} |`));
  });

  it('documents both parse errors and every runtime error', () => {
    for (const e of [ERRORS.NO_SENTRY_RPC_PERMISSION, ERRORS.INVALID_SENTRY_RPC_TIMEOUT]) expect(page).toContain(`| ${e.code} | ${e.render(0)} | ${e.description} |`);
    for (const e of help.runtimeErrors) expect(page).toContain(`| ${e.message} | ${e.description} |`);
    expect(page).toContain('| node NAME is unreachable |');
  });

  it('runs its three examples over examples/cluster.json', async () => {
    const examples = [...page.matchAll(/^ {4}```\n {4}(.+)\n {4}```$/gm)].map((m) => m[1]!);
    expect(examples).toHaveLength(3);
    const host = new MockHost(await loadScenarioFile(join(root, 'examples', 'cluster.json')));
    const [all, listenByNode, dn1] = await Promise.all(examples.map((q) => host.query(q)));
    expect(new Set(all!.map((r) => r['node'] ?? r['_error']))).toEqual(new Set(['dn1', 'dn2', 'node dn3 is unreachable']));
    expect(listenByNode).toEqual([{ node: 'dn1', count: 2 }, { node: 'dn2', count: 1 }]);
    expect(dn1!.every((r) => r['node'] === 'dn1')).toBe(true);
    expect(dn1!.length).toBeGreaterThan(0);
  });
});
