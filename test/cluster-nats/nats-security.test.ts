// The cluster's security on NATS, with real processes: TLS to NATS, nkey users issued by `sentry-query
// nats-user` with least-privilege permissions, a direct agent (`agent --nats`) queried like any sentry, and what an
// agent's credentials cannot do (tried). Start-up failures are errors, never a silent start.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { serveSentryOnNats } from '../../src/nats/direct-agent.js';
import { runRemoteQuery } from '../../src/remote/index.js';
import type { Row } from '../../src/index.js';
import { Children, runToEnd, type RunningChild } from '../helpers/child-cli.js';
import { NATS_SERVER_MISSING, natsServerAvailable, startNatsCluster, type NatsCluster } from '../helpers/nats-servers.js';
import { selfSigned } from '../helpers/tls-cert.js';
import { NODE_EXPIRY_MS } from '../../src/rpc/limits.js';

const TOKEN = 'b'.repeat(24);
const KEY = 'k'.repeat(20);
const children = new Children();
let servers: NatsCluster;
let dir: string;
let caFile: string;
let url: string;
let queryPort: number;
let control: RunningChild;
let dataNode: RunningChild;
const opened: NatsConnection[] = [];

const file = (name: string): string => join(dir, name);

async function issue(...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runToEnd(['nats-user', ...args]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout.trim();
}

async function query(text: string): Promise<Row[]> {
  const rows: Row[] = [];
  await runRemoteQuery({ url: `ws://127.0.0.1:${queryPort}`, token: TOKEN, query: text, onRecord: (row) => void rows.push(row) });
  return rows;
}

/** A connection with `seed`'s credentials, and the server errors it is told of. */
async function connectAs(seedFile: string): Promise<{ nc: NatsConnection; errors: string[] }> {
  const seed = (await readFile(seedFile, 'utf8')).trim();
  const nc = await connect({
    servers: url,
    authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
    tls: { caFile },
  });
  opened.push(nc);
  const errors: string[] = [];
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'error') errors.push(s.error.message);
  })();
  return { nc, errors };
}

const cert = selfSigned(['DNS:localhost']);

beforeAll(async () => {
  if (!natsServerAvailable()) throw new Error(NATS_SERVER_MISSING);
  if (!cert) throw new Error('openssl is needed for the TLS certificate');
  dir = await mkdtemp(join(tmpdir(), 'nats-security-'));
  caFile = file('cert.pem');
  await writeFile(caFile, cert.cert);
  await writeFile(file('key.pem'), cert.key, { mode: 0o600 });
  await writeFile(file('admin.token'), `${TOKEN}\n`, { mode: 0o600 });
  await writeFile(file('keys.json'), JSON.stringify({ 'ws-1': KEY, 'ws-2': KEY }), { mode: 0o600 });
  const users = [
    await issue('--role', 'control', '--out', file('control.nk')),
    await issue('--role', 'node', '--name', 'dn1', '--out', file('dn1.nk')),
    await issue('--role', 'agent', '--guid', 'web-01', '--out', file('web-01.nk')),
    await issue('--role', 'agent', '--guid', 'web-02', '--out', file('web-02.nk')),
  ];
  servers = await startNatsCluster({
    size: 2,
    tls: { certFile: caFile, keyFile: file('key.pem') },
    extraConfig: `authorization { users = [\n${users.join(',\n')}\n] }\n`,
  });
  url = servers.urls[0]!;
  const nats = ['--nats', url, '--nats-ca', caFile];
  const node = children.start(['node', '--listen', '0', '--keys', file('keys.json'), '--name', 'dn1', ...nats, '--creds', file('dn1.nk')]);
  dataNode = node;
  const port = Number((await node.waitFor('stdout', /listening on ws:\/\/127\.0\.0\.1:(\d+)/))[1]);
  await node.waitFor('stdout', /data node dn1 on NATS tls:/);
  children.start(['simulate', '--connect', `ws://127.0.0.1:${port}`, '--keys', file('keys.json')]);
  const agent = children.start([
    'agent',
    '--guid',
    'web-01',
    '--nats',
    servers.urls[1]!,
    '--nats-ca',
    caFile,
    '--creds',
    file('web-01.nk'),
  ]);
  await agent.waitFor('stderr', /serving web-01 on NATS/);
  control = children.start([
    'control',
    ...nats,
    '--creds',
    file('control.nk'),
    '--query-port',
    '0',
    '--admin-token-file',
    file('admin.token'),
  ]);
  queryPort = Number((await control.waitFor('stdout', /queries on ws:\/\/127\.0\.0\.1:(\d+)/))[1]);
  for (let i = 0; ; i++) {
    if ((await query('sentry | search connected == true')).length === 3) break;
    if (i > 100) throw new Error('the control node never listed 3 sentries');
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

afterAll(async () => {
  for (const nc of opened) await nc.close();
  children.killAll();
  await servers?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the cluster on NATS with TLS and per-role nkey users', () => {
  it('lists and queries sentries of a data node and a direct agent alike; the agent is node "direct"', async () => {
    const listed = await query('sentry | fields guid, node, connected, hostname');
    expect(listed.map((r) => `${String(r['guid'])}@${String(r['node'])}`).sort()).toEqual(['web-01@direct', 'ws-1@dn1', 'ws-2@dn1']);
    const rows = await query('sentry | fields guid | sonar-sentry-netstat');
    expect(rows.filter((r) => r['_error'] !== undefined)).toEqual([]);
    expect(new Set(rows.map((r) => `${String(r['guid'])}@${String(r['node'])}`))).toEqual(
      new Set(['web-01@direct', 'ws-1@dn1', 'ws-2@dn1']),
    );
    // The direct agent answered with this host's real sockets: the NATS server's own listening port among them.
    const natsPort = Number(new URL(servers.urls[1]!).port);
    expect(rows.some((r) => r['guid'] === 'web-01' && r['local_port'] === natsPort && r['state'] === 'LISTEN')).toBe(true);
  });

  it("an agent's credentials cannot subscribe to another guid's calls, read replies, or publish as another guid", async () => {
    const { nc, errors } = await connectAs(file('web-01.nk'));
    const refused: string[] = [];
    for (const subject of ['sentry.web-02.*', 'sentry.>', '_INBOX.>', 'sentry-node.*.heartbeat']) {
      nc.subscribe(subject, { callback: (error) => void (error && refused.push(`${subject}: ${error.message}`)) });
    }
    nc.publish('sentry-agent.web-02.heartbeat', JSON.stringify({ hostname: 'forged' }));
    nc.publish('sentry.web-02.netstat', JSON.stringify({ params: {}, timeoutMs: 1000 }));
    nc.publish('sentry-node.dn1.heartbeat', JSON.stringify({ boot: 'x', session: 0, version: 0, count: 0, leaving: true }));
    await nc.flush();
    await new Promise((r) => setTimeout(r, 300));
    expect(refused).toHaveLength(4);
    for (const line of refused) expect(line).toMatch(/permissions violation/i);
    expect(errors.filter((e) => /publish/i.test(e))).toHaveLength(3);
    // Nothing forged took: web-02 is not listed, dn1 did not "leave".
    const listed = await query('sentry | fields guid, node');
    expect(listed.map((r) => String(r['guid'])).sort()).toEqual(['web-01', 'ws-1', 'ws-2']);
  });

  it('serving another guid with these credentials is refused, in the library and in the CLI (exit 1, the reason)', async () => {
    const { nc } = await connectAs(file('web-01.nk'));
    await expect(serveSentryOnNats({ nc, guid: 'web-02', methods: { netstat: () => [] } })).rejects.toThrow(
      /NATS refused serving sentry\.web-02\.\*.*are these credentials for guid web-02\?/,
    );
    const cli = await runToEnd(['agent', '--guid', 'web-02', '--nats', url, '--nats-ca', caFile, '--creds', file('web-01.nk')]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/^error: NATS refused serving sentry\.web-02\.\*/m);
  });

  it('start-up failures are errors: refused credentials, unreachable NATS, plain nats:// off loopback, a readable creds file, no TLS trust', async () => {
    await issue('--role', 'control', '--out', file('stranger.nk'));
    const startControl = (...args: string[]): Promise<{ code: number | null; stderr: string }> =>
      runToEnd(['control', '--query-port', '0', '--admin-token-file', file('admin.token'), ...args]);
    const stranger = await startControl('--nats', url, '--nats-ca', caFile, '--creds', file('stranger.nk'));
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/^error: NATS at tls:\/\/127\.0\.0\.1:\d+ refused the credentials/m);
    const down = await startControl('--nats', 'nats://127.0.0.1:1');
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^error: cannot reach NATS at nats:\/\/127\.0\.0\.1:1: connection refused/m);
    const plain = await startControl('--nats', 'nats://192.0.2.1:4222');
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^error: refusing plain nats:\/\/ to 192\.0\.2\.1/m);
    await writeFile(file('open.nk'), await readFile(file('control.nk')));
    await chmod(file('open.nk'), 0o644);
    const open = await startControl('--nats', url, '--nats-ca', caFile, '--creds', file('open.nk'));
    expect(open.code).toBe(1);
    expect(open.stderr).toMatch(/readable or writable by group or others.*chmod 600/);
    const untrusted = await startControl('--nats', url, '--creds', file('control.nk'));
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/^error: cannot connect to NATS at .*certificate/m);
    expect(untrusted.stderr).toMatch(/give --nats-ca FILE/);
    // A data node started with another role's credentials (here an agent's) is refused at start, not left running
    // invisibly with a permissions violation a second.
    const wrongRole = await runToEnd([
      'node',
      '--listen',
      '0',
      '--keys',
      file('keys.json'),
      '--name',
      'dn7',
      '--nats',
      url,
      '--nats-ca',
      caFile,
      '--creds',
      file('web-02.nk'),
    ]);
    expect(wrongRole.code).toBe(1);
    expect(wrongRole.stderr).toMatch(
      /^error: NATS refused what the data node dn7 must do \(.*Permissions Violation.*\): are these the credentials of the data node dn7\?/im,
    );
    for (const run of [stranger, down, plain, open, untrusted, wrongRole]) expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('a data node stopped by SIGTERM says goodbye: the control node forgets it at once (not after the 6 s expiry)', async () => {
    const stoppedAt = Date.now();
    dataNode.process.kill('SIGTERM');
    await control.waitFor('stderr', /"event":"node-left","node":"dn1","detail":"it is shutting down"/, 5_000);
    expect(Date.now() - stoppedAt).toBeLessThan(NODE_EXPIRY_MS);
    expect((await query('sentry | fields guid, node')).map((r) => String(r['guid']))).toEqual(['web-01']);
    await new Promise<void>((resolve) => (dataNode.process.exitCode !== null ? resolve() : dataNode.process.once('exit', () => resolve())));
    expect(dataNode.process.exitCode).toBe(0);
  });
});
