/** The nats-server test helper itself: real servers on loopback, routed, killable, and always cleaned up. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NATS_SERVER_MISSING, natsServerAvailable, type NatsCluster, startNatsCluster } from '../helpers/nats-servers.js';
import { selfSigned } from '../helpers/tls-cert.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Subscribes on `sub`, then publishes on `pub` until a message arrives: interest crosses a route asynchronously, so
 * the first publishes may find no subscriber on the publishing server yet.
 */
async function deliverAcross(pub: NatsConnection, sub: NatsConnection, subject: string): Promise<string> {
  let received: string | undefined;
  const subscription = sub.subscribe(subject, {
    callback: (err, msg) => {
      if (err === null) received ??= msg.string();
    },
  });
  try {
    await sub.flush();
    const deadline = Date.now() + 5_000;
    for (let i = 0; received === undefined; i++) {
      if (Date.now() > deadline) throw new Error(`nothing on ${subject} within 5 s`);
      pub.publish(subject, `hello ${i}`);
      await pub.flush();
      await sleep(50);
    }
    return received;
  } finally {
    subscription.unsubscribe();
  }
}

async function routesOf(monitorUrl: string): Promise<number> {
  const body = (await (await fetch(`${monitorUrl}/routez`)).json()) as { num_routes: number };
  return body.num_routes;
}

describe('startNatsCluster', () => {
  const clusters: NatsCluster[] = [];
  const connections: NatsConnection[] = [];

  beforeAll(() => {
    if (!natsServerAvailable()) throw new Error(NATS_SERVER_MISSING);
  });

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close()));
    await Promise.all(clusters.splice(0).map((c) => c.stop()));
  });

  async function open(server: string, extra: Parameters<typeof connect>[0] = {}): Promise<NatsConnection> {
    const nc = await connect({ servers: server, reconnect: false, ...extra });
    connections.push(nc);
    return nc;
  }

  it('routes a message published on server 0 to a subscriber on server 2, and survives losing server 1', async () => {
    const cluster = await startNatsCluster();
    clusters.push(cluster);
    expect(cluster.urls).toHaveLength(3);
    for (const url of cluster.urls) expect(url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    for (const url of cluster.monitorUrls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set(cluster.pids).size).toBe(3);
    for (const pid of cluster.pids) expect(isRunning(pid)).toBe(true);
    for (const monitorUrl of cluster.monitorUrls) expect(await routesOf(monitorUrl)).toBe(2);

    const nc0 = await open(cluster.urls[0]!);
    const nc2 = await open(cluster.urls[2]!);
    expect(nc0.info?.server_name).toBe('n0');
    expect(nc2.info?.server_name).toBe('n2');
    expect(await deliverAcross(nc0, nc2, 'probe.before')).toMatch(/^hello \d+$/);

    await cluster.kill(1);
    expect(isRunning(cluster.pids[1]!)).toBe(false);
    await cluster.kill(1); // already gone: resolves at once
    expect(await deliverAcross(nc0, nc2, 'probe.after')).toMatch(/^hello \d+$/);
    // Servers 0 and 2 notice the lost route (at once: its TCP connection closed) and keep theirs to each other.
    const deadline = Date.now() + 5_000;
    while ((await routesOf(cluster.monitorUrls[0]!)) !== 1 && Date.now() < deadline) await sleep(50);
    expect(await routesOf(cluster.monitorUrls[0]!)).toBe(1);
    expect(await routesOf(cluster.monitorUrls[2]!)).toBe(1);

    await Promise.all(connections.splice(0).map((nc) => nc.close()));
    await cluster.stop();
    for (const pid of cluster.pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(cluster.dir)).toBe(false);
    await cluster.stop(); // idempotent
  });

  it('kill() with SIGTERM waits for a graceful exit', async () => {
    const cluster = await startNatsCluster({ size: 2 });
    clusters.push(cluster);
    await cluster.kill(0, 'SIGTERM');
    expect(isRunning(cluster.pids[0]!)).toBe(false);
    expect(isRunning(cluster.pids[1]!)).toBe(true);
    await expect(cluster.kill(2)).rejects.toThrow(RangeError);
    await cluster.stop();
    for (const pid of cluster.pids) expect(isRunning(pid)).toBe(false);
  });

  it('applies extraConfig and maxPayload to every server', async () => {
    const cluster = await startNatsCluster({
      size: 2,
      maxPayload: 65_536,
      extraConfig: 'authorization {\n  users = [ { user: alice, password: s3cret } ]\n}',
    });
    clusters.push(cluster);
    await expect(connect({ servers: cluster.urls[1]!, reconnect: false })).rejects.toThrow(/authorization/i);
    const nc0 = await open(cluster.urls[0]!, { user: 'alice', pass: 's3cret' });
    const nc1 = await open(cluster.urls[1]!, { user: 'alice', pass: 's3cret' });
    expect(nc0.info?.max_payload).toBe(65_536);
    expect(nc1.info?.max_payload).toBe(65_536);
    expect(await deliverAcross(nc1, nc0, 'probe.auth')).toMatch(/^hello \d+$/);
  });

  it("rejects a bad extraConfig with nats-server's own message, leaving nothing running", async () => {
    const error = await startNatsCluster({ size: 2, extraConfig: 'this_is_not_an_option: 1' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('unknown field "this_is_not_an_option"');
    const dir = /config dir (\S+)\)/.exec(message)?.[1];
    expect(dir).toBeDefined();
    expect(existsSync(dir!)).toBe(false);
    for (const [, pid] of message.matchAll(/\(pid (\d+),/g)) expect(isRunning(Number(pid))).toBe(false);
  });

  describe('with tls', () => {
    const cert = selfSigned();
    let certDir: string | undefined;

    afterAll(() => {
      if (certDir !== undefined) rmSync(certDir, { recursive: true, force: true });
    });

    it.skipIf(cert === undefined)('serves tls:// clients and routes over TLS', async () => {
      certDir = mkdtempSync(join(tmpdir(), 'sentry-nats-tls-'));
      const certFile = join(certDir, 'cert.pem');
      const keyFile = join(certDir, 'key.pem');
      writeFileSync(certFile, cert!.cert);
      writeFileSync(keyFile, cert!.key);

      const cluster = await startNatsCluster({ size: 3, tls: { certFile, keyFile } });
      clusters.push(cluster);
      for (const url of cluster.urls) expect(url).toMatch(/^tls:\/\/127\.0\.0\.1:\d+$/);
      // nats.js upgrades its plain socket with an empty servername when the URL's host is an IP, so node checks the
      // certificate against "localhost"; `host` (passed through to tls.connect) makes it check 127.0.0.1 instead.
      const tls = { ca: cert!.cert.toString('utf8'), host: '127.0.0.1' };
      const nc0 = await open(cluster.urls[0]!, { tls });
      const nc2 = await open(cluster.urls[2]!, { tls });
      expect(nc0.info?.tls_required).toBe(true);
      expect(await deliverAcross(nc0, nc2, 'probe.tls')).toMatch(/^hello \d+$/);
      // A client that does not trust the certificate is refused.
      await expect(connect({ servers: cluster.urls[1]!, reconnect: false })).rejects.toThrow();
    });
  });
});
