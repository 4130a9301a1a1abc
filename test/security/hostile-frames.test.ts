// A real child process on loopback: a node with both its ports (sentry, query). A malformed WebSocket frame on
// either port must close only that socket: the process stays up, and the clients already connected (an agent)
// keep working.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listeningPorts, startCli, queryRows, queryNodeArgs } from '../helpers/child-cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../../src/agent/index.js';
import { type Row } from '../../src/index.js';
import { HOSTILE_FRAMES, sendRawFrame } from '../helpers/raw-websocket.js';

const KEY = 'k'.repeat(16) + '-hostile-frames';
const ADMIN = 't'.repeat(24);
const children: ChildProcess[] = [];
let agent: AgentHandle | undefined;
let dir: string;

/** Records of `text` on a node's query port, as the administrator. */
const query = (port: number, text: string): Promise<Row[]> => queryRows(port, ADMIN, text);

let node: Record<string, number>;
let nodeProcess: ChildProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostile-frames-'));
  await writeFile(join(dir, 'keys.json'), JSON.stringify({ 'h-1': KEY }), { mode: 0o600 });
  await writeFile(join(dir, 'admin.token'), `${ADMIN}\n`, { mode: 0o600 });
  nodeProcess = startCli(children, ...queryNodeArgs(join(dir, 'keys.json'), join(dir, 'admin.token')));
  node = await listeningPorts(nodeProcess, 2);
  await new Promise<void>((resolve) => {
    const answer = [
      { pid: 7, protocol: 'tcp', local_ip: '127.0.0.1', local_port: 7, remote_ip: '0.0.0.0', remote_port: 0, state: 'LISTEN' },
    ];
    agent = startAgent({
      url: `ws://127.0.0.1:${node['listening']}`,
      guid: 'h-1',
      key: KEY,
      methods: { netstat: () => answer },
      onStatus: (s) => {
        if (s.state === 'connected') resolve();
      },
    });
  });
}, 30_000);

afterAll(async () => {
  await agent?.stop();
  for (const child of children) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** The node alive, the agent's link still answering. */
async function expectEverythingStillWorks(): Promise<void> {
  expect(nodeProcess.exitCode).toBeNull();
  expect(nodeProcess.signalCode).toBeNull();
  const direct = await query(node['queries']!, 'sentry | fields guid | sentry-netstat timeout=5');
  expect(direct).toMatchObject([{ guid: 'h-1', pid: 7, local_port: 7, state: 'LISTEN' }]);
}

const targets: ReadonlyArray<readonly [string, () => number]> = [
  ['node sentry port', () => node['listening']!],
  ['node query port', () => node['queries']!],
];

describe('a malformed WebSocket frame before authentication', () => {
  for (const [target, port] of targets) {
    for (const [kind, frame] of Object.entries(HOSTILE_FRAMES)) {
      it(`${kind} on the ${target}: that socket is closed, the process stays up, other clients are unaffected`, async () => {
        const { status } = await sendRawFrame(port(), frame);
        expect(status).toBe('HTTP/1.1 101 Switching Protocols');
        // Give an uncaught 'error' (the defect) the time to end the process before looking.
        await new Promise((resolve) => setTimeout(resolve, 100));
        await expectEverythingStillWorks();
      });
    }
  }
});
