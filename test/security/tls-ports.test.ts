// Real child processes on loopback: a data node serving wss:// on all three ports (sentries, queries, cluster)
// with an openssl self-signed certificate, a control node serving wss:// and joining it over wss://, an agent and
// sentry-query. Clients given the certificate with --ca get through; without it they fail, saying the
// certificate is not trusted and to give --ca.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Children, runToEnd, type RunningChild } from '../helpers/child-cli.js';
import { selfSigned } from '../helpers/tls-cert.js';

const tls = selfSigned();
const KEY = 'tls-ports-key-0123456789';
const UNTRUSTED = /the server's TLS certificate is not trusted \(self-signed certificate\): give --ca FILE/;
const children = new Children();
let dir: string;
let file: (name: string) => string;
let ports: Record<'listening' | 'queries' | 'cluster', number>;
let controlQueries: number;

/** `label → port` from lines like `queries on wss://127.0.0.1:PORT`, checking the scheme. */
async function served(child: RunningChild, labels: readonly string[]): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (const label of labels) {
    const [, port] = await child.waitFor('stdout', new RegExp(`^${label} on wss://127\\.0\\.0\\.1:(\\d+)$`, 'm'));
    seen[label] = Number(port);
  }
  return seen;
}

const query = (port: number, text: string, ...flags: string[]): ReturnType<typeof runToEnd> =>
  runToEnd(['--host', `wss://127.0.0.1:${port}`, '--token-file', file('admin.token'), '--format', 'jsonl', ...flags, text]);

describe.skipIf(!tls)('TLS on every port', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tls-ports-'));
    file = (name) => join(dir, name);
    await writeFile(file('cert.pem'), tls!.cert);
    await writeFile(file('key.pem'), tls!.key, { mode: 0o600 });
    await writeFile(file('keys.json'), JSON.stringify({ 't-1': KEY }), { mode: 0o600 });
    await writeFile(file('agent.key'), `${KEY}\n`, { mode: 0o600 });
    await writeFile(file('admin.token'), `${'a'.repeat(24)}\n`, { mode: 0o600 });
    await writeFile(file('cluster.token'), `${'c'.repeat(24)}\n`, { mode: 0o600 });
    const tlsFlags = ['--tls-cert', file('cert.pem'), '--tls-key', file('key.pem')];
    const node = children.start([
      'node', '--listen', '0', '--keys', file('keys.json'), '--name', 'dn1',
      '--query-port', '0', '--admin-token-file', file('admin.token'),
      '--cluster-port', '0', '--cluster-token-file', file('cluster.token'), ...tlsFlags,
    ]); // prettier-ignore
    ports = await served(node, ['listening', 'queries', 'cluster']);
    const agent = children.start([
      'agent',
      '--connect',
      `wss://127.0.0.1:${ports.listening}`,
      '--guid',
      't-1',
      '--key-file',
      file('agent.key'),
      '--ca',
      file('cert.pem'),
    ]);
    await agent.waitFor('stderr', /^connected to wss:\/\/127\.0\.0\.1:\d+ as t-1$/m);
    const control = children.start([
      'control', '--nodes', `dn1=wss://127.0.0.1:${ports.cluster}`, '--ca', file('cert.pem'),
      '--cluster-token-file', file('cluster.token'), '--query-port', '0', '--admin-token-file', file('admin.token'),
      '--refresh-ms', '100', ...tlsFlags,
    ]); // prettier-ignore
    controlQueries = (await served(control, ['queries']))['queries']!;
    await control.waitFor('stderr', /"node":"dn1","event":"joined"/);
  }, 60_000);

  afterAll(async () => {
    children.killAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('sentry-query --ca gets a query through the node over wss://, and the sentry over wss:// answers it', async () => {
    const result = await query(ports.queries, 'sentry | fields guid, connected', '--ca', file('cert.pem'));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({ guid: 't-1', connected: true });
  });

  it('the control node serves wss:// and reaches the data node over wss://', async () => {
    let rows: unknown[] = [];
    // Bounded: the directory is refreshed every 100 ms.
    for (let i = 0; i < 50 && rows.length === 0; i++) {
      const result = await query(controlQueries, 'sentry | search connected == true | fields guid, node', '--ca', file('cert.pem'));
      expect(result.code).toBe(0);
      rows = result.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as unknown);
    }
    expect(rows).toEqual([{ guid: 't-1', node: 'dn1' }]);
  });

  it('sentry-query without --ca refuses the certificate: one line saying to give --ca, exit 1', async () => {
    const result = await query(ports.queries, 'sentry');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^error: cannot reach wss://127\\.0\\.0\\.1:${ports.queries}: ${UNTRUSTED.source}`));
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('an agent without --ca never gets in and says why', async () => {
    const agent = children.start([
      'agent',
      '--connect',
      `wss://127.0.0.1:${ports.listening}`,
      '--guid',
      't-1',
      '--key-file',
      file('agent.key'),
    ]);
    const [line] = await agent.waitFor('stderr', /^disconnected \(.*\); retrying in .*$/m);
    expect(line).toMatch(UNTRUSTED);
    expect(agent.output.stderr).not.toMatch(/connected to/);
    agent.process.kill('SIGKILL');
  });

  it('a control node without --ca logs that the data node certificate is not trusted', async () => {
    const control = children.start([
      'control', '--nodes', `dn1=wss://127.0.0.1:${ports.cluster}`, '--cluster-token-file', file('cluster.token'),
      '--query-port', '0', '--admin-token-file', file('admin.token'),
    ]); // prettier-ignore
    const [line] = await control.waitFor('stderr', /^.*"event":"failed".*$/m);
    expect(JSON.parse(line)).toMatchObject({ node: 'dn1', event: 'failed', detail: expect.stringMatching(UNTRUSTED) });
    expect(control.output.stderr).not.toMatch(/"joined"/);
    control.process.kill('SIGKILL');
  });
});
