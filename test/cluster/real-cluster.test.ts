// Real processes on loopback: two data nodes (`sentry-query node --cluster-port`), a control node
// (`sentry-query control`), in-process agents, and `sentry-query --host` as the query client.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../../src/agent/index.js';

const bin = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const KEY = 'k'.repeat(16) + '-real-cluster';
const children: ChildProcess[] = [];
const agents: AgentHandle[] = [];

function start(...args: string[]): ChildProcess {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

/** The first `count` stdout lines of `child`. */
function firstLines(child: ChildProcess, count: number): Promise<string[]> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: child.stdout! });
    const seen: string[] = [];
    lines.on('line', (line) => {
      seen.push(line);
      if (seen.length === count) {
        lines.close();
        resolve(seen);
      }
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Guids whose agent stops answering (its netstat never resolves), to hold a call in flight. */
const stalled = new Set<string>();

function agent(url: string, guid: string, port: number): Promise<AgentHandle> {
  const answer = [
    { pid: 1, protocol: 'tcp', local_ip: '127.0.0.1', local_port: port, remote_ip: '0.0.0.0', remote_port: 0, state: 'LISTEN' },
  ];
  const collect = (): unknown => (stalled.has(guid) ? new Promise(() => undefined) : answer);
  return new Promise((resolve) => {
    const a = startAgent({
      url,
      guid,
      key: KEY,
      methods: { netstat: collect },
      // Every call reaches `collect` (no fresh result is reused), so a stalled sentry stalls the next call.
      collections: { intervalMs: 0 },
      onStatus: (s) => {
        if (s.state === 'connected') resolve(a);
      },
    });
    agents.push(a);
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'real-cluster-'));
  await writeFile(join(dir, 'keys.json'), JSON.stringify({ 'a-1': KEY, 'a-2': KEY, 'b-1': KEY }), { mode: 0o600 });
  await writeFile(join(dir, 'cluster.token'), `${'c'.repeat(24)}\n`, { mode: 0o600 });
  await writeFile(join(dir, 'admin.token'), `${'t'.repeat(24)}\n`, { mode: 0o600 });
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  for (const child of children) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

type Row = Record<string, unknown>;
function query(url: string, text: string): Promise<{ code: number | null; rows: Row[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = start('--host', url, '--token-file', join(dir, 'admin.token'), '--format', 'jsonl', text);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('exit', (code) =>
      resolve({
        code,
        stderr,
        rows:
          stdout.trim() === ''
            ? []
            : stdout
                .trim()
                .split('\n')
                .map((l) => JSON.parse(l) as Row),
      }),
    );
  });
}

describe('a real cluster: control node + two data nodes (child processes)', () => {
  it('routes sonar-sentry-netstat to each node; a data node killed mid-query gives its in-flight sentry _error, the rest complete', async () => {
    const dataNode = async (name: string) => {
      const child = start(
        'node',
        '--listen',
        '0',
        '--keys',
        join(dir, 'keys.json'),
        '--name',
        name,
        '--cluster-port',
        '0',
        '--cluster-token-file',
        join(dir, 'cluster.token'),
      );
      const [listening, cluster] = await firstLines(child, 2);
      expect(listening).toMatch(/^listening on ws:\/\//);
      expect(cluster).toMatch(/^cluster on ws:\/\//);
      return { child, sentryUrl: listening!.replace('listening on ', ''), clusterUrl: cluster!.replace('cluster on ', '') };
    };
    const [dn1, dn2] = await Promise.all([dataNode('dn1'), dataNode('dn2')]);
    await Promise.all([agent(dn1.sentryUrl, 'a-1', 1001), agent(dn1.sentryUrl, 'a-2', 1002), agent(dn2.sentryUrl, 'b-1', 2001)]);

    const control = start(
      'control',
      '--nodes',
      `dn1=${dn1.clusterUrl},dn2=${dn2.clusterUrl}`,
      '--cluster-token-file',
      join(dir, 'cluster.token'),
      '--query-port',
      '0',
      '--admin-token-file',
      join(dir, 'admin.token'),
      '--refresh-ms',
      '100',
    );
    const [queries] = await firstLines(control, 1);
    expect(queries).toMatch(/^queries on ws:\/\//);
    const queryUrl = queries!.replace('queries on ', '');

    // Wait (bounded) until the control's directory holds all three sentries.
    let listed: Row[] = [];
    for (let i = 0; i < 50 && listed.length < 3; i++) {
      listed = (await query(queryUrl, 'sentry | fields guid, node')).rows;
      if (listed.length < 3) await new Promise((r) => setTimeout(r, 200));
    }
    expect(listed.map((r) => `${String(r['guid'])}@${String(r['node'])}`).sort()).toEqual(['a-1@dn1', 'a-2@dn1', 'b-1@dn2']);

    const ok = await query(queryUrl, 'sentry | fields guid | sonar-sentry-netstat');
    expect(ok.code).toBe(0);
    const byGuid = (rows: Row[]) => Object.fromEntries(rows.map((r) => [String(r['guid']), r]));
    expect(byGuid(ok.rows)).toMatchObject({
      'a-1': { node: 'dn1', local_port: 1001, state: 'LISTEN' },
      'a-2': { node: 'dn1', local_port: 1002 },
      'b-1': { node: 'dn2', local_port: 2001 },
    });
    expect(ok.rows).toHaveLength(3);

    // Mid-query: a-1's call is held in flight on dn1 while a-2 (dn1) and b-1 (dn2) answer; then dn1 dies.
    stalled.add('a-1');
    const midQuery = start(
      '--host',
      queryUrl,
      '--token-file',
      join(dir, 'admin.token'),
      '--format',
      'jsonl',
      'sentry | fields guid | sonar-sentry-netstat timeout=60',
    );
    const streamed: Row[] = [];
    await new Promise<void>((resolve) => {
      createInterface({ input: midQuery.stdout! }).on('line', (line) => {
        streamed.push(JSON.parse(line) as Row);
        if (['a-2', 'b-1'].every((g) => streamed.some((r) => r['guid'] === g))) resolve();
      });
    });
    dn1.child.kill('SIGKILL');
    expect(await exited(dn1.child)).toBeNull();
    expect(await exited(midQuery)).toBe(0);
    const mid = byGuid(streamed);
    expect(mid['a-2']).toMatchObject({ node: 'dn1', local_port: 1002 });
    expect(mid['b-1']).toMatchObject({ node: 'dn2', local_port: 2001 });
    expect(mid['a-1']).toEqual({ guid: 'a-1', _error: 'disconnected' });
    expect(streamed).toHaveLength(3);

    // After: dn1's sentries are unreachable, dn2's still answer.
    const after = await query(queryUrl, 'sentry | fields guid | sonar-sentry-netstat timeout=5');
    expect(after.code).toBe(0);
    const rows = byGuid(after.rows);
    expect(rows['b-1']).toMatchObject({ node: 'dn2', local_port: 2001 });
    for (const guid of ['a-1', 'a-2']) {
      expect(['node dn1 is unreachable', 'not connected', 'disconnected']).toContain(rows[guid]?.['_error']);
    }

    control.kill('SIGINT');
    expect(await exited(control)).toBe(0);
    dn2.child.kill('SIGINT');
    expect(await exited(dn2.child)).toBe(0);
  }, 60_000);
});
