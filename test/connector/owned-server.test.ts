// A connector on a caller-owned HTTP server admits sockets at their upgrade. A refused one whose peer sent a bad
// frame in the same write as its upgrade must not end the process: ws reports that frame as 'error' on a socket
// the connector never served (review finding 1).
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { KeyRegistry } from '../../src/connector/key-registry.js';
import { WebSocketConnector, type ConnectorLogEvent } from '../../src/connector/websocket-connector.js';
import { HOSTILE_FRAMES, RawPeer, UPGRADE_REQUEST } from '../helpers/raw-websocket.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('a refused upgrade carrying a bad frame is dropped; the process and the connector carry on', async () => {
  const uncaught: unknown[] = [];
  const monitor = (error: unknown): void => void uncaught.push(error);
  process.on('uncaughtExceptionMonitor', monitor);
  cleanups.push(() => process.off('uncaughtExceptionMonitor', monitor));
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const logs: ConnectorLogEvent[] = [];
  const connector = await WebSocketConnector.listen({
    server,
    keys: new KeyRegistry({ g: 'k'.repeat(32) }),
    admission: { perSource: 1 },
    log: (event) => void logs.push(event),
  });
  cleanups.push(() => connector.close());
  const port = (server.address() as AddressInfo).port;

  const first = new RawPeer(port);
  first.socket.write(UPGRADE_REQUEST);
  cleanups.push(() => first.socket.destroy());
  expect(await first.until(/"type":"challenge"/)).not.toBeNull();
  // Over the per-source cap: refused at its upgrade, with a bad frame in the same write.
  const second = new RawPeer(port);
  second.socket.write(Buffer.concat([Buffer.from(UPGRADE_REQUEST), HOSTILE_FRAMES['unmasked client frame']!]));
  cleanups.push(() => second.socket.destroy());
  await second.until(/(?!)/); // never matches: resolves once the server has dropped it (or after 10 s)
  // Give an uncaught 'error' (the defect) the time to surface before looking.
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(uncaught).toEqual([]);
  expect(logs.map((e) => e.event)).toContain('refused');
  // The admitted peer is still served: its socket is open.
  expect(first.socket.destroyed).toBe(false);
});
