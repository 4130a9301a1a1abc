// One handshake deadline, counted from the TCP accept (review finding 5): a peer that upgrades late (more than
// CLOSE_GRACE_MS after its accept, still before the deadline) gets the handshake's close (1008 `handshake
// timeout`) and its failure is logged, instead of being destroyed silently by the admission guard.
import { afterEach, describe, expect, it } from 'vitest';
import { KeyRegistry } from '../../src/connector/key-registry.js';
import { WebSocketConnector } from '../../src/connector/websocket-connector.js';
import { RawPeer, UPGRADE_REQUEST } from '../helpers/raw-websocket.js';

const DEADLINE_MS = 3_000;
// Between CLOSE_GRACE_MS (1 s; past it the guard used to win) and the deadline, with a second's margin either side.
const UPGRADE_AFTER_MS = 2_000;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const servers: ReadonlyArray<readonly [string, (logs: Array<{ event: string }>) => Promise<{ port: number; close(): Promise<void> }>]> = [
  [
    'sentry port',
    async (logs) => {
      const connector = await WebSocketConnector.listen({
        keys: new KeyRegistry({ g: 'k'.repeat(32) }),
        handshakeTimeoutMs: DEADLINE_MS,
        log: (event) => void logs.push(event),
      });
      return { port: connector.address().port, close: () => connector.close() };
    },
  ],
];

describe('a peer that upgrades late, before the deadline', () => {
  for (const [name, serve] of servers) {
    it(`${name}: gets the 1008 handshake timeout close, and the failure is logged`, async () => {
      const logs: Array<{ event: string }> = [];
      const server = await serve(logs);
      cleanups.push(() => server.close());
      const peer = new RawPeer(server.port);
      cleanups.push(() => peer.socket.destroy());
      await new Promise((resolve) => setTimeout(resolve, UPGRADE_AFTER_MS));
      peer.socket.write(UPGRADE_REQUEST);
      expect(await peer.until(/101 Switching Protocols/)).not.toBeNull();
      // The close frame (opcode 8) carries 1008 and the reason.
      const close = await peer.until(/\x88.(..)handshake timeout/s);
      expect(close).not.toBeNull();
      expect(Buffer.from(close![1]!, 'latin1').readUInt16BE()).toBe(1008);
      expect(logs.map((e) => e.event)).toContain('handshake-timeout');
    }, 20_000);
  }
});
