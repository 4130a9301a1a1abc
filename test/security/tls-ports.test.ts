// Real child processes on loopback: a node serving wss:// on both its ports (sentries, queries) with an openssl
// self-signed certificate, an agent and sentry-query. Clients given the certificate with --ca get through;
// without it they fail, saying the certificate is not trusted and to give --ca.
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
let ports: Record<'listening' | 'queries', number>;

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
    const tlsFlags = ['--tls-cert', file('cert.pem'), '--tls-key', file('key.pem')];
    const node = children.start([
      'node', '--listen', '0', '--keys', file('keys.json'),
      '--query-port', '0', '--admin-token-file', file('admin.token'), ...tlsFlags,
    ]); // prettier-ignore
    ports = await served(node, ['listening', 'queries']);
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

  it('sentry-query without --ca refuses the certificate: one line saying to give --ca, exit 1', async () => {
    const result = await query(ports.queries, 'sentry');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^error: cannot reach wss://127\\.0\\.0\\.1:${ports.queries}: ${UNTRUSTED.source}`));
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('an agent without --ca never gets in: it says why and exits 1', async () => {
    const agent = await runToEnd([
      'agent',
      '--connect',
      `wss://127.0.0.1:${ports.listening}`,
      '--guid',
      't-1',
      '--key-file',
      file('agent.key'),
    ]);
    expect(agent.stderr).toMatch(new RegExp(`^error: cannot connect to wss://127\\.0\\.0\\.1:${ports.listening}: ${UNTRUSTED.source}`));
    expect(agent.stderr).not.toMatch(/connected to/);
    expect(agent.code).toBe(1);
  });
});
