// ws re-emits its HTTP server's 'error' on the WebSocketServer; without a listener there that error ends the
// process (review finding 7). The query server logs it, as the connector does.
import type { Server } from 'node:http';
import { afterEach, expect, it, vi } from 'vitest';
import { QueryServer } from '../../src/remote/query-server.js';
import type * as HttpListener from '../../src/rpc/http-listener.js';
import type { PreAuthLogEvent } from '../../src/rpc/pre-auth-log.js';

// Keeps the HTTP server under each port, so the test can make it report an error (as a failed accept would).
const servers = vi.hoisted(() => [] as Server[]);
vi.mock('../../src/rpc/http-listener.js', async (importOriginal) => {
  const original = await importOriginal<typeof HttpListener>();
  return {
    ...original,
    listenHttp: async (...args: Parameters<typeof original.listenHttp>) => {
      const server = await original.listenHttp(...args);
      servers.push(server);
      return server;
    },
  };
});

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  servers.splice(0);
});

const ports = [
  [
    'query server',
    (log: (event: PreAuthLogEvent) => void) =>
      QueryServer.listen({
        adminToken: 't'.repeat(32),
        start: () => ({ done: Promise.resolve({ reason: 'end' }), cancel: () => undefined }),
        log,
      }),
  ],
] as const;

for (const [name, listen] of ports) {
  it(`${name}: an error of its HTTP server is logged, not thrown`, async () => {
    const logs: PreAuthLogEvent[] = [];
    const port = await listen((event) => void logs.push(event));
    cleanups.push(() => port.close());
    expect(servers).toHaveLength(1);
    expect(() => servers[0]!.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }))).not.toThrow();
    expect(logs).toContainEqual(expect.objectContaining({ event: 'socket-error', detail: 'accept EMFILE' }));
  });
}
