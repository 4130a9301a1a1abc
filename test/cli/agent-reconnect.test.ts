// Real child processes on loopback: a `sentry-query node` stopped and started again on the same port, and a
// `sentry-query agent --connect` child. The agent retries with delays of at most 5 s (the documented cap,
// read from what it prints, not timed), and is back once the node is: within that cap plus a handshake.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDSHAKE_DEADLINE_MS } from '../../src/rpc/limits.js';

/** The documented cap on the delay between attempts (docs/commands/sentry-query.md), in seconds. */
const CAP_S = 5;
import { Children, type RunningChild } from '../helpers/child-cli.js';

const KEY = 'agent-reconnect-key-0123456789';
const children = new Children();
let dir: string;
let file: (name: string) => string;

function startNode(port: number): RunningChild {
  return children.start(['node', '--listen', String(port), '--keys', file('keys.json')]);
}

/** Resolves once `child` has exited. */
function exited(child: RunningChild): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.process.once('exit', () => resolve()));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent-reconnect-'));
  file = (name) => join(dir, name);
  await writeFile(file('keys.json'), JSON.stringify({ 'back-1': KEY }), { mode: 0o600 });
  await writeFile(file('agent.key'), `${KEY}\n`, { mode: 0o600 });
});
afterAll(async () => {
  children.killAll();
  await rm(dir, { recursive: true, force: true });
});

describe('an agent after a node outage', () => {
  it('retries at most every 5 s, and is back within that cap (plus a handshake) of the node', { timeout: 90_000 }, async () => {
    let node = startNode(0);
    const port = Number((await node.waitFor('stdout', /^listening on ws:\/\/127\.0\.0\.1:(\d+)$/m))[1]);
    const agent = children.start(['agent', '--connect', `ws://127.0.0.1:${port}`, '--guid', 'back-1', '--key-file', file('agent.key')]);
    await agent.waitFor('stderr', /^connected to /m);

    node.process.kill('SIGINT');
    await exited(node);
    // Six failed attempts: the delay's ceiling has grown 0.5, 1, 2, 4 s and reached the cap.
    const attempt = /^cannot connect to ws:\/\/127\.0\.0\.1:\d+: connection refused .*; retrying in (\d+\.\d) s$/gm;
    await agent.waitFor('stderr', new RegExp(`(?:${attempt.source}\\n[^]*){6}`, 'm'), 60_000);
    const delays = [...agent.output.stderr.matchAll(attempt)].map((m) => Number(m[1]));
    expect(delays.length).toBeGreaterThanOrEqual(6);
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(CAP_S);

    const before = agent.output.stderr.split('\n').filter((l) => l.startsWith('connected to ')).length;
    node = startNode(port);
    await node.waitFor('stdout', /^listening on /m);
    const back = new RegExp(`(?:^connected to [^\\n]*\\n[^]*){${before + 1}}`, 'm');
    // A generous bound that the old 30 s cap could miss: the cap, a handshake, and room for a loaded machine.
    await agent.waitFor('stderr', back, CAP_S * 1000 + HANDSHAKE_DEADLINE_MS + 5_000);
    agent.process.kill('SIGKILL');
  });
});
