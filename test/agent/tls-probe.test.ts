// The check behind "ws:// to a TLS port: write wss://": a TLS handshake with the port, on real sockets.
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servesTls } from '../../src/agent/tls-probe.js';
import { selfSigned } from '../helpers/tls-cert.js';

const tls = selfSigned();
const servers: Server[] = [];
const listen = async (server: Server): Promise<number> => {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};
let tlsPort: number;
let plainPort: number;
let silentPort: number;

describe.skipIf(!tls)('servesTls', () => {
  beforeAll(async () => {
    tlsPort = await listen(createTlsServer({ cert: tls!.cert, key: tls!.key }, (s) => s.end()));
    // A plain server that answers like HTTP and hangs up, and one that says nothing.
    plainPort = await listen(createTcpServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    silentPort = await listen(createTcpServer(() => undefined));
  });
  afterAll(() => {
    for (const server of servers) server.close();
  });

  it('is true for a TLS port (whatever its certificate), false for a plain one', async () => {
    expect(await servesTls('127.0.0.1', tlsPort, 10_000)).toBe(true);
    expect(await servesTls('127.0.0.1', plainPort, 10_000)).toBe(false);
  });

  it('gives up at its deadline, or at once when aborted, on a port that never answers', async () => {
    expect(await servesTls('127.0.0.1', silentPort, 50)).toBe(false);
    const stop = new AbortController();
    const probe = servesTls('127.0.0.1', silentPort, 60_000, stop.signal);
    stop.abort();
    expect(await probe).toBe(false);
  });
});
