// The shared pre-authentication layer's parts on their own: AdmissionGuard counting two loopback sources apart,
// and PreAuthLog's summaries and failure counts.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AdmissionGuard } from '../../src/rpc/admission.js';
import { PreAuthLog, type PreAuthLogEvent } from '../../src/rpc/pre-auth-log.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connectedAll(sockets: Socket[]): Promise<void> {
  await Promise.all(sockets.map((s) => new Promise((resolve) => (s.connecting ? s.once('connect', resolve) : resolve(undefined)))));
}

describe('AdmissionGuard: sources are counted apart', () => {
  it('the per-source cap of one address leaves another address admitted; the total spans both', async () => {
    const servers: Server[] = [];
    const listen = async (host: string): Promise<number | undefined> => {
      const server = createServer((s) => s.on('error', () => undefined));
      const ok = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(0, host, () => resolve(true));
      });
      if (!ok) return undefined;
      servers.push(server);
      cleanups.push(() => new Promise((resolve) => server.close(resolve)));
      return (server.address() as { port: number }).port;
    };
    const v4 = await listen('127.0.0.1');
    const v6 = await listen('::1');
    if (v6 === undefined) return; // no IPv6 loopback here: the per-port tests above cover one source
    const guard = new AdmissionGuard({ perSource: 2, total: 3 });
    for (const server of servers) guard.attach(server);
    cleanups.push(() => guard.close());
    const open = (host: string, port: number): Socket => {
      const s = connect(port, host);
      s.on('error', () => undefined);
      s.resume(); // read, so the server's close is seen
      cleanups.push(() => s.destroy());
      return s;
    };
    const a = [open('127.0.0.1', v4!), open('127.0.0.1', v4!)];
    await connectedAll(a);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(guard.pending).toBe(2);
    const third = open('127.0.0.1', v4!);
    await new Promise((resolve) => third.once('close', resolve));
    const b = open('::1', v6);
    await connectedAll([b]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(guard.pending).toBe(3); // ::1 was admitted although 127.0.0.1 is at its cap
    const overTotal = open('::1', v6);
    await new Promise((resolve) => overTotal.once('close', resolve));
    expect(guard.pending).toBe(3);
  });
});

describe('PreAuthLog', () => {
  it('logs the first event of a source at once and the rest of its window as one summary', () => {
    const lines: PreAuthLogEvent[] = [];
    const log = new PreAuthLog({ log: (e) => void lines.push(e), windowMs: 60_000, failureLimit: 20 });
    for (let i = 0; i < 1_000; i++) log.record('192.0.2.1', { event: 'rejected', detail: 'wrong-key', remote_ip: '192.0.2.1' }, true);
    log.record('192.0.2.1', { event: 'refused', detail: 'cap', remote_ip: '192.0.2.1' }, false);
    expect(lines).toEqual([{ event: 'rejected', detail: 'wrong-key', remote_ip: '192.0.2.1' }]);
    expect(log.blocked('192.0.2.1')).toBe(true);
    expect(log.blocked('192.0.2.2')).toBe(false);
    log.flush();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ event: 'summary', remote_ip: '192.0.2.1', count: 1_000 });
    expect(lines[1]!.detail).toContain('rejected ×999, refused ×1');
  });

  it('refusals do not count toward the failure limit; sources past the tracked number share one entry', () => {
    const lines: PreAuthLogEvent[] = [];
    const log = new PreAuthLog({ log: (e) => void lines.push(e), windowMs: 60_000, failureLimit: 2, trackedSources: 2 });
    for (let i = 0; i < 50; i++) log.record('192.0.2.1', { event: 'refused', detail: 'cap' }, false);
    expect(log.blocked('192.0.2.1')).toBe(false);
    for (let i = 0; i < 10; i++) log.record(`198.51.100.${i}`, { event: 'rejected', detail: 'x', remote_ip: `198.51.100.${i}` }, true);
    log.flush();
    // 192.0.2.1 (first line + summary of 49), 198.51.100.0 (one line), "other sources" (first line + summary of 8).
    expect(lines).toHaveLength(5);
    expect(lines.filter((l) => l.event === 'summary').map((l) => l.count)).toEqual([49, 8]);
    expect(lines.find((l) => l.detail.includes('more sources than tracked'))).not.toHaveProperty('remote_ip');
  });
});
