// `agent --log-format json`: the structured, levelled lines a service's log collector reads (src/cli/agent-log.ts),
// with real child processes: a node, and agents connecting to it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Children, runToEnd } from '../helpers/child-cli.js';

const KEY = 'agent-log-format-key-0123456789';
const children = new Children();
let dir: string;
let port: number;
const file = (name: string): string => join(dir, name);

/** The JSON lines of `stderr` (every line must be one). */
function jsonLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .trimEnd()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent-log-format-'));
  await writeFile(file('keys.json'), JSON.stringify({ 'log-1': KEY }), { mode: 0o600 });
  await writeFile(file('agent.key'), `${KEY}\n`, { mode: 0o600 });
  await writeFile(file('wrong.key'), `${'w'.repeat(24)}\n`, { mode: 0o600 });
  const node = children.start(['node', '--listen', '0', '--keys', file('keys.json')]);
  port = Number((await node.waitFor('stdout', /^listening on ws:\/\/127\.0\.0\.1:(\d+)$/m))[1]);
});

afterAll(async () => {
  children.killAll();
  await rm(dir, { recursive: true, force: true });
});

describe('agent --log-format json', () => {
  it('logs its link coming up as one JSON line with time, level, guid and event', async () => {
    const agent = children.start([
      'agent',
      '--guid',
      'log-1',
      '--connect',
      `ws://127.0.0.1:${port}`,
      '--key-file',
      file('agent.key'),
      '--log-format',
      'json',
    ]);
    await agent.waitFor('stderr', /"event":"agent-connected"/);
    const connected = jsonLines(agent.output.stderr).find((l) => l['event'] === 'agent-connected');
    expect(connected).toMatchObject({
      level: 'info',
      guid: 'log-1',
      url: `ws://127.0.0.1:${port}`,
      detail: `connected to ws://127.0.0.1:${port} as log-1`,
    });
    expect(Number.isNaN(Date.parse(String(connected!['time'])))).toBe(false);
    agent.process.kill('SIGINT');
  });

  it('a refusal retrying cannot fix is one error line (agent-stopped), exit 1; --log-level error keeps only it', async () => {
    const result = await runToEnd([
      'agent',
      '--guid',
      'log-1',
      '--connect',
      `ws://127.0.0.1:${port}`,
      '--key-file',
      file('wrong.key'),
      '--log-format',
      'json',
      '--log-level',
      'error',
    ]);
    expect(result.code).toBe(1);
    const lines = jsonLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', event: 'agent-stopped', guid: 'log-1' });
    expect(String(lines[0]!['detail'])).toMatch(/authentication failed for guid log-1/);
  });

  it('refuses an unknown format or level with one line', async () => {
    const format = await runToEnd(['agent', '--once', '--log-format', 'xml']);
    expect(format.code).toBe(1);
    expect(format.stderr).toMatch(/--log-format.*xml.*(text|json)/);
    const level = await runToEnd(['agent', '--once', '--log-level', 'loud']);
    expect(level.code).toBe(1);
    expect(level.stderr).toMatch(/^error: --log-level must be one of debug, info, warn, error, not loud$/m);
  });
});
