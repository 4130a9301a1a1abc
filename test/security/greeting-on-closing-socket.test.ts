// A valid greeting that arrives in the same read as a frame that closes the socket (a binary frame: 1007) must
// not be honoured (review finding 2): on the sentry port the dead link used to replace the live one.
import { afterEach, describe, expect, it } from 'vitest';
import { PROOF_PURPOSE, proofOf, secretBytes } from '../../src/rpc/challenge.js';
import { Loopback } from '../connector/loopback.js';
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
    // list() names every guid with a key: good-1 is still the one connected.
    expect(connector.list().filter((s) => s.connected)).toMatchObject([{ guid: 'good-1', connected: true }]);
  });
});
