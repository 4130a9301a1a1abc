// A real `sentry-query node` child: every sentry with a key listed, keys reloaded on SIGHUP, and its log
// (sentry-connected/disconnected, the query audit trail).
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle, type AgentStatus } from '../../src/agent/index.js';
import { Children, queryRows, type RunningChild, queryNodeArgs } from '../helpers/child-cli.js';

const TOKEN = 'admin-token-of-node-operations';
const KEYS = { 'web-01': 'key-of-web-01-0123456789', 'web-02': 'key-of-web-02-0123456789', 'web-03': 'key-of-web-03-0123456789' };
const CONNECTION = {
  pid: 7,
  protocol: 'tcp',
  local_ip: '127.0.0.1',
  local_port: 22,
  remote_ip: '0.0.0.0',
  remote_port: 0,
  state: 'LISTEN',
};

const children = new Children();
const agents: AgentHandle[] = [];
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'node-operations-'));
  await writeFile(join(dir, 'admin.token'), TOKEN, { mode: 0o600 });
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  children.killAll();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function writeKeys(keys: Record<string, string> | string): Promise<string> {
  const path = join(dir, 'keys.json');
  await writeFile(path, typeof keys === 'string' ? keys : JSON.stringify(keys));
  await chmod(path, 0o600);
  return path;
}

/** A node on loopback with a query port; its sentry and query ports. */
async function startNode(...extra: string[]): Promise<{ node: RunningChild; sentries: number; queries: number }> {
  const node = children.start(queryNodeArgs(join(dir, 'keys.json'), join(dir, 'admin.token'), ...extra));
  const [, sentries] = await node.waitFor('stdout', /^listening on ws:\/\/127\.0\.0\.1:(\d+)$/m);
  const [, queries] = await node.waitFor('stdout', /^queries on ws:\/\/127\.0\.0\.1:(\d+)$/m);
  return { node, sentries: Number(sentries), queries: Number(queries) };
}

/** An agent of `guid` on the node, resolved once welcomed; its statuses are kept. */
function connectAgent(port: number, guid: string, key: string, statuses: AgentStatus[] = []): Promise<AgentHandle> {
  return new Promise((resolve) => {
    const agent = startAgent({
      url: `ws://127.0.0.1:${port}`,
      guid,
      key,
      methods: { netstat: () => [CONNECTION] },
      backoff: () => 60_000,
      onStatus: (s) => {
        statuses.push(s);
        if (s.state === 'connected') resolve(agent);
      },
    });
    agents.push(agent);
  });
}

/** The JSON log lines of `node` whose event is `event`. */
function events(node: RunningChild, event: string): Record<string, unknown>[] {
  return node.output.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line['event'] === event);
}

describe.runIf(platform() !== 'win32')('sentry-query node: operations (a child process)', () => {
  it('lists every sentry with a key: sentry-netstat gets one set of rows and "not connected" for the others', async () => {
    await writeKeys(KEYS);
    const { node, sentries, queries } = await startNode();
    await connectAgent(sentries, 'web-02', KEYS['web-02']);

    const listed = await queryRows(queries, TOKEN, 'sentry');
    expect(listed.map((r) => [r['guid'], r['connected']])).toEqual([
      ['web-01', false],
      ['web-02', true],
      ['web-03', false],
    ]);
    // A connected sentry was seen now; one that never connected has no last_seen.
    expect(typeof listed[1]!['last_seen']).toBe('string');
    expect(listed[0]).not.toHaveProperty('last_seen');

    // In arrival order: sort them by guid.
    const rows = await queryRows(queries, TOKEN, 'sentry | fields guid | sentry-netstat');
    rows.sort((a, b) => String(a['guid']).localeCompare(String(b['guid'])));
    expect(rows).toEqual([
      { guid: 'web-01', _error: 'not connected' },
      { guid: 'web-02', ...CONNECTION },
      { guid: 'web-03', _error: 'not connected' },
    ]);

    // The audit trail: one line per query, with who ran it, its text, and its counts.
    await node.waitFor('stderr', /"event":"query".*sentry-netstat/);
    const audit = events(node, 'query');
    expect(audit).toHaveLength(2);
    expect(audit[1]).toMatchObject({
      level: 'info',
      port: 'query',
      user: 'admin',
      remote_ip: '127.0.0.1',
      query: 'sentry | fields guid | sentry-netstat',
      outcome: 'end',
      records: 3,
      errors: 2,
    });
    expect(audit[1]!['duration_ms']).toEqual(expect.any(Number));
    expect(events(node, 'sentry-connected')).toEqual([expect.objectContaining({ level: 'info', guid: 'web-02', remote_ip: '127.0.0.1' })]);
  });

  it('a parse error is audited with its code, and --log-level warn keeps info events out', async () => {
    await writeKeys(KEYS);
    const quiet = await startNode('--log-level', 'warn');
    await connectAgent(quiet.sentries, 'web-01', KEYS['web-01']);
    await expect(queryRows(quiet.queries, TOKEN, 'sentry')).resolves.toHaveLength(3);
    const loud = await startNode();
    await expect(queryRows(loud.queries, TOKEN, 'sentry | sentry-netstat timeout=0')).rejects.toThrow(/Invalid sentry RPC timeout/);
    await loud.node.waitFor('stderr', /"event":"query"/);
    expect(events(loud.node, 'query')).toEqual([
      expect.objectContaining({ outcome: 'parse-error', code: 23101, records: 0, errors: 0, query: 'sentry | sentry-netstat timeout=0' }),
    ]);
    expect(quiet.node.output.stderr).not.toMatch(/"event":"(query|sentry-connected)"/);
  });

  it('reloads the keys file on SIGHUP: a removed or rotated key closes its link, a new guid may connect, a bad file changes nothing', async () => {
    await writeKeys(KEYS);
    const { node, sentries, queries } = await startNode();
    const removedStatuses: AgentStatus[] = [];
    const rotatedStatuses: AgentStatus[] = [];
    await connectAgent(sentries, 'web-01', KEYS['web-01'], removedStatuses);
    await connectAgent(sentries, 'web-02', KEYS['web-02'], rotatedStatuses);
    await connectAgent(sentries, 'web-03', KEYS['web-03']);

    const rotatedKey = 'the-new-key-of-web-02-0123';
    await writeKeys({ 'web-02': rotatedKey, 'web-03': KEYS['web-03'], 'web-04': 'key-of-web-04-0123456789' });
    node.process.kill('SIGHUP');
    await node.waitFor('stderr', /"event":"keys-reloaded"/);
    expect(events(node, 'keys-reloaded')).toEqual([expect.objectContaining({ added: 1, removed: 1, rotated: 1, sentries: 3 })]);
    await expect.poll(() => removedStatuses.find((s) => s.state === 'disconnected')).toMatchObject({ code: 1008, reason: 'key revoked' });
    await expect.poll(() => rotatedStatuses.find((s) => s.state === 'disconnected')).toMatchObject({ code: 1008, reason: 'key rotated' });
    await node.waitFor('stderr', /"event":"sentry-disconnected"[^\n]*"guid":"web-02"/);
    expect(events(node, 'sentry-disconnected')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ guid: 'web-01', detail: '1008 key revoked', connected_ms: expect.any(Number) }),
        expect.objectContaining({ guid: 'web-02', detail: '1008 key rotated', connected_ms: expect.any(Number) }),
      ]),
    );

    await connectAgent(sentries, 'web-02', rotatedKey);
    await connectAgent(sentries, 'web-04', 'key-of-web-04-0123456789');
    const listed = async (): Promise<unknown[]> => (await queryRows(queries, TOKEN, 'sentry')).map((r) => [r['guid'], r['connected']]);
    expect(await listed()).toEqual([
      ['web-02', true],
      ['web-03', true],
      ['web-04', true],
    ]);

    // A broken file: logged, and the keys in force stay.
    await writeKeys('{"web-05": ');
    node.process.kill('SIGHUP');
    await node.waitFor('stderr', /"event":"keys-reload-failed"/);
    expect(events(node, 'keys-reload-failed')).toEqual([
      expect.objectContaining({
        level: 'error',
        detail: expect.stringMatching(/keys\.json: not valid JSON.*\(the keys in force are kept\)$/),
      }),
    ]);
    expect(await listed()).toEqual([
      ['web-02', true],
      ['web-03', true],
      ['web-04', true],
    ]);
    expect(node.process.exitCode).toBeNull();
    node.process.kill('SIGINT');
    await new Promise((resolve) => node.process.once('exit', resolve));
    expect(node.process.exitCode).toBe(0);
  });
});
