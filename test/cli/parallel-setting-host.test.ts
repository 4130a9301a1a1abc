// What docs/commands/sentry-query.md ("Running as a service") and the systemd units say: the environment
// variable logpresso.core.sentry_rpc_parallel (set with `env`, since bash cannot export a dotted name) is read
// by the process that runs the query, so with `sentry-query --host` the node's setting applies, not the client's.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, RunningChild, type Finished } from '../helpers/child-cli.js';

const KEY = 'sentry_rpc_parallel';
const VARIABLE = `logpresso.core.${KEY}`;
const QUERY = 'sentry | fields guid | sentry-netstat';
const children: RunningChild[] = [];
let dir: string;

/** `sentry-query ARGS` with `parallel` as the variable's value in its environment (none when undefined). */
function spawnCli(args: string[], parallel: string | undefined) {
  const env = { ...process.env };
  delete env[VARIABLE];
  if (parallel !== undefined) env[VARIABLE] = parallel;
  return spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function runToEnd(args: string[], parallel: string | undefined): Promise<Finished> {
  const child = new RunningChild(spawnCli(args, parallel));
  return new Promise((resolve) => child.process.on('close', (code) => resolve({ code, ...child.output })));
}

/** A node on loopback with the variable set to `parallel`; resolves with its query URL. */
async function startNode(parallel: string): Promise<string> {
  const child = new RunningChild(
    spawnCli(
      ['node', '--listen', '0', '--keys', join(dir, 'keys.json'), '--query-port', '0', '--admin-token-file', join(dir, 'admin.token')],
      parallel,
    ),
  );
  children.push(child);
  return (await child.waitFor('stdout', /queries on (ws:\/\/\S+)/))[1]!;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parallel-host-'));
  await writeFile(join(dir, 'keys.json'), JSON.stringify({ 'web-01': 'k'.repeat(32) }), { mode: 0o600 });
  await writeFile(join(dir, 'admin.token'), `${'t'.repeat(24)}\n`, { mode: 0o600 });
});
afterAll(async () => {
  for (const { process: child } of children) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe(`the environment variable ${VARIABLE}`, () => {
  it('is read by a query run on this host (the main job), set with env(1)', async () => {
    const result = await runToEnd([QUERY], 'lots');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`23104 Invalid ${VARIABLE} value 'lots' (from environment)`);
  });

  it("with --host, is the node's: the client's value is not used, the node's is", async () => {
    const token = ['--token-file', join(dir, 'admin.token')];
    const goodNode = await startNode('5');
    const fromClient = await runToEnd(['--host', goodNode, ...token, '--format', 'jsonl', QUERY], 'lots');
    expect(fromClient.stderr).toBe('');
    expect(fromClient.code).toBe(0);

    const badNode = await startNode('lots');
    const fromNode = await runToEnd(['--host', badNode, ...token, QUERY], undefined);
    expect(fromNode.code).toBe(2);
    expect(fromNode.stderr).toContain(`23104 Invalid ${VARIABLE} value 'lots' (from environment)`);
  });
});
