// A valid greeting that arrives in the same read as a frame that closes the socket (a binary frame: 1007) must
// not be honoured (review finding 2): on the cluster port the welcome used to throw `socket not open` inside
// ws's message handler and end the data node; on the sentry port the dead link used to replace the live one.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PROOF_PURPOSE, proofOf, secretBytes } from '../../src/rpc/challenge.js';
import { Loopback } from '../connector/loopback.js';
import { listeningPorts, startCli } from '../helpers/child-cli.js';
import { clientFrame, RawPeer, UPGRADE_REQUEST } from '../helpers/raw-websocket.js';

const BINARY_FRAME = clientFrame(2, Buffer.from([1]));
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Upgrades on `port`, and once challenged writes a binary frame and `greeting(nonce)` in one write. */
async function binaryThenGreeting(port: number, greeting: (nonce: string) => object): Promise<RawPeer> {
  const peer = new RawPeer(port);
  cleanups.push(() => peer.socket.destroy());
  peer.socket.write(UPGRADE_REQUEST);
  const challenge = await peer.until(/"nonce":"([A-Za-z0-9_-]+)"/);
  expect(challenge).not.toBeNull();
  peer.socket.write(Buffer.concat([BINARY_FRAME, clientFrame(1, JSON.stringify(greeting(challenge![1]!)))]));
  // The server's close frame (opcode 8: 1007 for the binary frame), or the connection's end.
  await peer.until(/\x88/);
  return peer;
}

describe('a binary frame then a valid greeting in one write', () => {
  const children: ChildProcess[] = [];
  let dir: string | undefined;
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('cluster port (a data node process): the join is not honoured, the node stays up and still takes a join', async () => {
    const token = 'c'.repeat(32);
    dir = await mkdtemp(join(tmpdir(), 'closing-greeting-'));
    await writeFile(join(dir, 'keys.json'), JSON.stringify({ 'h-1': 'k'.repeat(32) }), { mode: 0o600 });
    await writeFile(join(dir, 'cluster.token'), `${token}\n`, { mode: 0o600 });
    const node = startCli(
      children,
      'node',
      '--listen',
      '0',
      '--keys',
      join(dir, 'keys.json'),
      '--cluster-port',
      '0',
      '--cluster-token-file',
      join(dir, 'cluster.token'),
    );
    const ports = await listeningPorts(node, 2);
    const join_ = (nonce: string): object => ({ type: 'join', proof: proofOf(secretBytes(token), PROOF_PURPOSE.join, nonce, '') });
    const hostile = await binaryThenGreeting(ports['cluster']!, join_);
    expect(hostile.received).not.toContain('"type":"welcome"');
    // Give an uncaught throw (the defect) the time to end the process before looking.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(node.exitCode).toBeNull();
    expect(node.signalCode).toBeNull();
    // A well-behaved control node still joins.
    const peer = new RawPeer(ports['cluster']!);
    cleanups.push(() => peer.socket.destroy());
    peer.socket.write(UPGRADE_REQUEST);
    const challenge = await peer.until(/"nonce":"([A-Za-z0-9_-]+)"/);
    expect(challenge).not.toBeNull();
    peer.socket.write(clientFrame(1, JSON.stringify(join_(challenge![1]!))));
    expect(await peer.until(/"type":"welcome"/)).not.toBeNull();
  }, 30_000);

  it('sentry port: the hello does not replace the live link of its guid', async () => {
    const loop = new Loopback();
    cleanups.push(() => loop.cleanup());
    const connector = await loop.start();
    await loop.agent('good-1');
    const hello = (nonce: string): object => ({
      type: 'hello',
      guid: 'good-1',
      proof: proofOf(secretBytes('key-of-good-1'), PROOF_PURPOSE.hello, nonce, 'good-1'),
    });
    const hostile = await binaryThenGreeting(connector.address().port, hello);
    expect(hostile.received).not.toContain('"type":"welcome"');
    expect(loop.logs.map((e) => e.event)).not.toContain('replaced');
    expect(connector.list()).toMatchObject([{ guid: 'good-1', connected: true }]);
  });
});
