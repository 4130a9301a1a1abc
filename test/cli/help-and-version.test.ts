// What an administrator finds without reading the docs: `--help` lists every mode, each mode's help has examples,
// `help [MODE]` shows a page, `--version` the version, and no arguments the help. The real bin (dispatch is in
// main.ts); `npm test` builds first.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runToEnd } from '../helpers/child-cli.js';

const MODE_NAMES = ['agent', 'node', 'control', 'nats-user', 'simulate'];
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('sentry-query --help, help, --version', () => {
  it('--help lists every mode and has examples, on stdout, exit 0', async () => {
    const { code, stdout, stderr } = await runToEnd(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const mode of MODE_NAMES) expect(stdout).toMatch(new RegExp(`^ {2}${mode} +\\S`, 'm'));
    expect(stdout).toMatch(/^Examples:\n {2}sentry-query /m);
    expect(stdout).toContain('--version');
  });

  it.each(MODE_NAMES)('%s --help has an Examples section', async (mode) => {
    const { code, stdout } = await runToEnd([mode, '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Examples?:\\n {2}sentry-query ${mode} `, 'm'));
  });

  it('help MODE shows the mode\'s page; help alone (or "help query") the query page', async () => {
    const node = await runToEnd(['help', 'node']);
    expect(node.code).toBe(0);
    expect(node.stdout).toMatch(/^Usage: sentry-query node /);
    const query = await runToEnd(['help']);
    expect(query.code).toBe(0);
    expect(query.stdout).toMatch(/^Usage: sentry-query \[options\] <query>/);
    expect((await runToEnd(['help', 'query'])).stdout).toBe(query.stdout);
  });

  it('help with an unknown mode: one line naming the modes, exit 1', async () => {
    const { code, stdout, stderr } = await runToEnd(['help', 'nodes']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      "error: sentry-query help takes one mode, one of: query, agent, node, control, nats-user, keygen, splunk, simulate (got 'nodes')\n",
    );
  });

  it("--version (and -V) prints package.json's version", async () => {
    expect(await runToEnd(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect((await runToEnd(['-V'])).stdout).toBe(`${version}\n`);
  });

  it('no arguments: the whole help on stderr (stdout stays for records), exit 1', async () => {
    const { code, stdout, stderr } = await runToEnd([]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Usage: sentry-query \[options\] <query>/);
    expect(stderr).toContain('Modes (');
    expect(stderr).toContain('Examples:');
  });
});
