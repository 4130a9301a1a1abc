// The reference page (docs/reference/sentry-netstat.txt, a copy of ../shared/reference/sentry-netstat.txt) is
// the contract. Its tables are rebuilt here from the command's help metadata, row for row, both ways: every row
// the page has must come out of the metadata, and every row the metadata makes must be on the page. Our one
// extension, `detail=BOOL` and the six fields it adds, is taken out of the metadata first (and checked to be
// exactly that): the page's text itself is matched as it is.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DETAIL_OPTION_HELP, ERRORS, sentryNetstatCommand, type CommandHelp, type FieldHelp } from '../../src/index.js';

const root = join(import.meta.dirname, '..', '..');
const page = readFileSync(join(root, 'docs/reference/sentry-netstat.txt'), 'utf8');
const lines = page.split('\n');
const full = sentryNetstatCommand.help;
/** The help without our extension (`detail`): what the reference page describes. */
const help: CommandHelp = {
  ...full,
  syntax: full.syntax.replace(/ \[detail=BOOL\]$/, ''),
  options: full.options.filter((o) => o.name !== 'detail'),
  outputFields: full.outputFields.filter((f) => f.onlyWith === undefined),
};

/** The non-empty lines of the table that follows `heading`, without its header row. */
function tableRows(heading: string, header: string): string[] {
  const start = lines.indexOf(heading);
  expect(start, `section ${heading}`).toBeGreaterThan(-1);
  const headerAt = lines.indexOf(header, start);
  const rows: string[] = [];
  for (let i = headerAt + 1; i < lines.length && lines[i] !== '' && lines[i] !== 'Runtime errors'; i++) rows.push(lines[i]!);
  return rows;
}

const typeWord = (t: FieldHelp['type']): string => (t === 'int' ? 'integer' : t);
const supported = (b: boolean): string => (b ? 'Supported' : 'Not supported');
const capital = (s: string): string => s[0]!.toUpperCase() + s.slice(1);

describe('our extension of the reference page', () => {
  it('is exactly detail=BOOL and the six fields it adds after state, before _error', () => {
    expect(full.syntax).toBe(`${help.syntax} [detail=BOOL]`);
    expect(full.options).toEqual([...help.options, DETAIL_OPTION_HELP]);
    const names = full.outputFields.map((f) => f.name);
    expect(names.slice(names.indexOf('state') + 1)).toEqual(['process', 'owners', 'uid', 'inode', 'netns', 'container', '_error']);
    expect(full.outputFields.filter((f) => f.onlyWith !== undefined).map((f) => f.onlyWith)).toEqual(Array(6).fill('detail'));
    expect(page).not.toContain('detail');
  });
});

describe('the reference page, line by line', () => {
  it('is the same page as ../shared/reference when that is present', () => {
    const shared = join(root, '..', 'shared', 'reference', 'sentry-netstat.txt');
    if (existsSync(shared)) expect(page).toBe(readFileSync(shared, 'utf8'));
  });

  it('name, summary and syntax', () => {
    expect(lines[0]).toBe(sentryNetstatCommand.name);
    expect(lines[2]).toBe(help.description);
    expect(lines[lines.indexOf('Syntax') + 2]).toBe(help.syntax);
  });

  it('command properties', () => {
    const p = help.properties;
    expect(tableRows('Command properties', 'PropertyDescription')).toEqual([
      `Command type${capital(p.commandType)}`,
      `Required permission${capital(p.requiredPermission)}`,
      `License usage${p.licenseUsage}`,
      `Parallel execution${supported(p.parallelExecution)}`,
      `Distributed execution${supported(p.distributedExecution)}`,
    ]);
  });

  it('options: timeout=INT, its range and default', () => {
    const at = lines.indexOf('Options');
    const made = help.options.flatMap((o) => [
      `${o.name}=${o.type === 'int' ? 'INT' : o.type.toUpperCase()}`,
      `${o.description} (Default: ${String(o.default)})`,
    ]);
    expect(lines.slice(at + 2, at + 2 + made.length)).toEqual(made);
  });

  it('input fields', () => {
    expect(tableRows('Input fields', 'FieldTypeRequiredDescription')).toEqual(
      help.inputFields.map((f) => `${f.name}${typeWord(f.type)}${f.required ? 'Required' : 'Optional'}${f.description}`),
    );
  });

  it('output fields and their types', () => {
    expect(tableRows('Output fields', 'FieldTypeDescription')).toEqual(
      help.outputFields.map((f) => `${f.name}${typeWord(f.type)}${f.description}`),
    );
  });

  it('parse error codes and messages', () => {
    const ours = [ERRORS.NO_SENTRY_RPC_PERMISSION, ERRORS.INVALID_SENTRY_RPC_TIMEOUT];
    expect(tableRows('Parsing errors', 'Error codeMessageDescription')).toEqual(ours.map((e) => `${e.code}${e.render(0)}${e.description}`));
    for (const e of ours) expect(sentryNetstatCommand.errors).toContain(e);
  });

  it('runtime errors', () => {
    expect(tableRows('Runtime errors', 'Error messageDescription')).toEqual(help.runtimeErrors.map((e) => `${e.message}${e.description}`));
  });

  it('the three examples are the ones test/commands/sentry-netstat.test.ts runs', () => {
    const examples = lines.filter((l) => l.startsWith('    sentry |')).map((l) => l.trim());
    expect(examples).toEqual([
      'sentry | fields guid | sentry-netstat',
      'sentry | fields guid | sentry-netstat | search state == "LISTEN"',
      'sentry | fields guid | sentry-netstat timeout=60',
    ]);
  });
});
