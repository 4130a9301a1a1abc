// Real child processes on loopback: a `sentry-query node` and `sentry-query agent --connect` children sharing one
// guid, as two cloned VMs would. The connected agent stays connected and answers queries; the newcomer is told
// why and exits 1; the node logs it once. An agent whose link died (a frozen process) is still replaced at once.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Children, queryRows, runToEnd, type RunningChild, queryNodeArgs } from '../helpers/child-cli.js';

const KEY = 'duplicate-guid-key-0123456789';
const TOKEN = 'd'.repeat(24);
const children = new Children();
let dir: string;
let file: (name: string) => string;
let node: RunningChild;
let ports: Record<string, number>;

const agentArgs = (): string[] => [
  'agent',
  '--connect',
  `ws://127.0.0.1:${ports['listening']}`,
  '--guid',
  'dup-1',
  '--key-file',
  file('agent.key'),
];

/** Stderr without the start-up warning a non-root agent prints (test/agent/pid-visibility.test.ts). */
const withoutPidWarning = (stderr: string): string => stderr.replace(/^warning: running as uid .*\n/m, '');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duplicate-guid-'));
  file = (name) => join(dir, name);
  await writeFile(file('keys.json'), JSON.stringify({ 'dup-1': KEY }), { mode: 0o600 });
  await writeFile(file('agent.key'), `${KEY}\n`, { mode: 0o600 });
  await writeFile(file('admin.token'), `${TOKEN}\n`, { mode: 0o600 });
  node = children.start(queryNodeArgs(file('keys.json'), file('admin.token')));
  ports = {};
  for (const label of ['listening', 'queries'])
    ports[label] = Number((await node.waitFor('stdout', new RegExp(`^${label} on ws://[^:]+:(\\d+)$`, 'm')))[1]);
});
afterAll(async () => {
  children.killAll();
  await rm(dir, { recursive: true, force: true });
});

describe('two agents with one guid', () => {
  it('the connected one is kept and answers; the newcomer is told why and exits 1; the node logs it once', async () => {
    const first = children.start(agentArgs());
    await first.waitFor('stderr', /^connected to /m);

    for (let i = 0; i < 3; i++) {
      const second = await runToEnd(agentArgs());
      expect(second.code).toBe(1);
      expect(withoutPidWarning(second.stderr)).toBe(
        'error: duplicate guid: another sentry is connected as dup-1 from 127.0.0.1: give each host its own --guid ' +
          '(the default is the host name, which cloned machines share)\n',
      );
    }

    const rows = await queryRows(ports['queries']!, TOKEN, 'sentry | fields guid | sentry-netstat timeout=10');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r['_error'] !== undefined)).toEqual([]);
    // The first agent never noticed.
    expect(withoutPidWarning(first.output.stderr)).toMatch(/^connected to [^\n]*\n$/);
    const logged = node.output.stderr.split('\n').filter((l) => l.includes('"event":"duplicate-guid"'));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!)).toMatchObject({ event: 'duplicate-guid', guid: 'dup-1', remote_ip: '127.0.0.1' });
    expect(node.output.stderr).not.toMatch(/"event":"(replaced|disconnected)"/);
    first.process.kill('SIGKILL');
  });

  it('an agent whose old link is dead (its process frozen) replaces it at once, and answers; the old one, resumed, is refused', async () => {
    const frozen = children.start(agentArgs());
    await frozen.waitFor('stderr', /^connected to /m);
    // Frozen, it answers no ping: to the node, the link of a machine that dropped off the network.
    frozen.process.kill('SIGSTOP');
    const restarted = children.start(agentArgs());
    await restarted.waitFor('stderr', /^connected to /m);
    await node.waitFor('stderr', /"event":"replaced".*"guid":"dup-1"/);
    const rows = await queryRows(ports['queries']!, TOKEN, 'sentry | fields guid | sentry-netstat timeout=10');
    expect(rows.filter((r) => r['_error'] !== undefined)).toEqual([]);
    expect(rows.length).toBeGreaterThan(0);
    // Resumed, the old agent learns it was replaced, tries again, and is refused: the two do not flap.
    const exitCode = new Promise<number | null>((resolve) => frozen.process.once('exit', (code) => resolve(code)));
    frozen.process.kill('SIGCONT');
    expect(await exitCode).toBe(1);
    expect(frozen.output.stderr).toMatch(/^disconnected from ws:\/\/127\.0\.0\.1:\d+ \(4000 replaced by a newer link\); retrying in /m);
    expect(frozen.output.stderr).toMatch(/^error: duplicate guid: another sentry is connected as dup-1 from 127\.0\.0\.1: /m);
    expect(withoutPidWarning(restarted.output.stderr)).toMatch(/^connected to [^\n]*\n$/);
    restarted.process.kill('SIGKILL');
  });
});
