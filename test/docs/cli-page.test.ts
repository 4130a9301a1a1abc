// docs/commands/sentry-query.md: every console example is run with the built CLI (cwd docs/commands) and its
// shown output compared with what it prints (stdout, then stderr).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const docs = join(root, 'docs', 'commands');
const page = readFileSync(join(docs, 'sentry-query.md'), 'utf8');

/** Splits a command line with single-quoted arguments (all the page uses). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

const examples = [...page.matchAll(/^ {4}```console\n {4}\$ (.+)\n((?: {4}.*\n)*?) {4}```$/gm)].map((m) => ({
  command: m[1]!,
  shown: m[2]!.split('\n').filter((l) => l !== '').map((l) => l.slice(4)),
}));

describe('docs/commands/sentry-query.md', () => {
  it('has its examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  it.each(examples.map((e) => [e.command, e] as const))('%s', (_command, { command, shown }) => {
    const [program, ...args] = words(command);
    expect(program).toBe('sentry-query');
    const run = spawnSync(process.execPath, [join(root, 'dist', 'src', 'cli', 'main.js'), ...args], { cwd: docs, encoding: 'utf8' });
    const printed = `${run.stdout}${run.stderr}`.split('\n').filter((l) => l !== '');
    expect(printed).toEqual(shown);
    // Parse errors exit 2, the rest 0.
    expect(run.status).toBe(/^\d{5} /.test(shown[0] ?? '') ? 2 : 0);
  });
});
