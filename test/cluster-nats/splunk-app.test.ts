// The Splunk app as splunkd runs it, without --scenario: a real `sentry-query splunk` process reads the app's
// default/ and local/sentry.conf, asks a local HTTPS stub of splunkd who owns the search's session key
// (authentication/current-context), and reaches the sentries of a data node through a real nats-server.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockSentryConnector } from '../../sdk-mock/mock-sentries.js';
import { NatsDataNode } from '../../src/nats/data-node.js';
import { execute, getinfo, guidsCsv, inspectorMessages, listening, runSplunkProcess } from '../helpers/splunk-session.js';
import { NATS_SERVER_MISSING, natsServerAvailable, startNatsCluster, type NatsCluster as Servers } from '../helpers/nats-servers.js';
import { selfSigned } from '../helpers/tls-cert.js';

const ADMIN_KEY = 'admin-key-3f9c2b';
const ANALYST_KEY = 'analyst-key-77aa01';

/** splunkd's current-context for each session key: an admin with the capability, an analyst without. */
function splunkdStub(): { server: Server; uri: () => string; seen: string[] } {
  const tls = selfSigned();
  if (!tls) throw new Error('openssl is needed for the splunkd stub');
  const seen: string[] = [];
  const server = createServer(tls, (req, res) => {
    seen.push(String(req.headers.authorization));
    const caller =
      req.headers.authorization === `Splunk ${ADMIN_KEY}`
        ? { username: 'admin', roles: ['admin'], capabilities: ['search', 'run_sentry_rpc'] }
        : req.headers.authorization === `Splunk ${ANALYST_KEY}`
          ? { username: 'analyst', roles: ['user'], capabilities: ['search'] }
          : undefined;
    if (!req.url?.startsWith('/services/authentication/current-context') || !caller) {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"messages":[{"type":"WARN","text":"call not properly authenticated"}]}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ entry: [{ name: 'context', content: caller }] }));
  });
  return { server, seen, uri: () => `https://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** An app folder: the shipped default/sentry.conf, and a local/sentry.conf naming `natsUrl`. */
function appDir(natsUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sentry-app-'));
  mkdirSync(join(dir, 'default'));
  mkdirSync(join(dir, 'local'));
  copyFileSync(
    join(import.meta.dirname, '..', '..', 'apps', 'sentry_netstat', 'default', 'sentry.conf'),
    join(dir, 'default', 'sentry.conf'),
  );
  writeFileSync(join(dir, 'local', 'sentry.conf'), `[cluster]\nnats_url = ${natsUrl}\n\n[command]\nrpc_parallel = 10\n`);
  return dir;
}

describe('the Splunk app on the NATS cluster (a real process, nats-server, a splunkd stub)', () => {
  let servers: Servers;
  let nc: NatsConnection;
  let node: NatsDataNode;
  const splunkd = splunkdStub();
  let app: string;

  beforeAll(async () => {
    if (!natsServerAvailable()) throw new Error(NATS_SERVER_MISSING);
    servers = await startNatsCluster({ size: 1 });
    nc = await connect({ servers: [servers.urls[0]!] });
    node = new NatsDataNode({
      nc,
      name: 'dn1',
      connector: new MockSentryConnector([
        { guid: 'web-01', connections: [listening(812, 22), listening(1432, 80)] },
        { guid: 'データ-01', connections: [listening(77, 443)] },
      ]),
    });
    await new Promise<void>((resolve) => splunkd.server.listen(0, '127.0.0.1', resolve));
    app = appDir(servers.urls[0]!);
  });
  afterAll(async () => {
    node?.close();
    await nc?.close();
    await servers?.stop();
    await new Promise((resolve) => splunkd.server.close(resolve));
  });

  const info = (key: string, args: string[] = []): Buffer => getinfo('ignored', args, { splunkd_uri: splunkd.uri(), session_key: key });

  it('an admin with run_sentry_rpc: sentrynetstat reaches the sentries through NATS, unknown guids are not connected', async () => {
    const run = await runSplunkProcess(
      ['sentrynetstat', '--app-dir', app],
      [info(ADMIN_KEY, ['timeout=10']), execute(guidsCsv(['web-01', 'データ-01', 'ghost']), true)],
    );
    expect(run.code).toBe(0);
    const rows = run.answers[1]!.records;
    expect(rows.map((r) => [r['guid'], r['local_port'] || r['_error']]).sort()).toEqual([
      ['ghost', 'not connected'],
      ['web-01', '22'],
      ['web-01', '80'],
      ['データ-01', '443'],
    ]);
    expect(splunkd.seen).toContain(`Splunk ${ADMIN_KEY}`);
    expect(run.stderr).not.toContain(ADMIN_KEY);
  });

  it('sonarsentrynetstat adds the node; sentrylist lists the cluster’s sentries with their node', async () => {
    const sonar = await runSplunkProcess(
      ['sonarsentrynetstat', '--app-dir', app],
      [info(ADMIN_KEY), execute(guidsCsv(['データ-01']), true)],
    );
    expect(sonar.answers[1]!.records).toEqual([expect.objectContaining({ guid: 'データ-01', node: 'dn1', local_port: '443' })]);
    const list = await runSplunkProcess(['sentrylist', '--app-dir', app], [info(ADMIN_KEY), execute('', false)]);
    expect(list.answers[1]!.records.map((r) => [r['guid'], r['node'], r['connected']]).sort()).toEqual([
      ['web-01', 'dn1', 'true'],
      ['データ-01', 'dn1', 'true'],
    ]);
  });

  it('a user without the capability gets 23100; a key splunkd refuses is the search’s error, the key never shown', async () => {
    const analyst = await runSplunkProcess(['sentrynetstat', '--app-dir', app], [info(ANALYST_KEY), execute(guidsCsv(['web-01']), true)]);
    expect(analyst.code).toBe(1);
    expect(analyst.answers[0]!.metadata['error']).toBe('23100 No permission to call sentry RPC.');
    const stale = await runSplunkProcess(
      ['sentrynetstat', '--app-dir', app],
      [info('expired-key-000'), execute(guidsCsv(['web-01']), true)],
    );
    expect(stale.code).toBe(1);
    expect(stale.answers[0]!.metadata['error']).toMatch(/^sentrynetstat: splunkd .*refused the search's session key \(HTTP 401\)/);
    expect(JSON.stringify(stale.answers) + stale.stderr).not.toContain('expired-key-000');
  });

  it('NATS unreachable: each record says so in _error with the reason, the inspector has the ERROR, the search completes', async () => {
    const down = appDir('nats://127.0.0.1:9');
    const run = await runSplunkProcess(
      ['sentrynetstat', '--app-dir', down],
      [info(ADMIN_KEY), execute(guidsCsv(['web-01', 'データ-01']), true)],
    );
    expect(run.code).toBe(0);
    const errors = run.answers[1]!.records.map((r) => r['_error']);
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e).toMatch(/^the cluster is unreachable: /);
    expect(inspectorMessages(run.answers[1]).find(([level]) => level === 'ERROR')?.[1]).toMatch(
      /cannot reach the sentries: .*127\.0\.0\.1:9/,
    );
  });
});
