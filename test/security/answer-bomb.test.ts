// A real child process on loopback: a node (`sentry-query node` with its query port). Hostile sentries (real
// agents doing the hello with a valid key, then answering raw JSON text) answer `netstat` with an 8 MiB
// `[{},{},...]`, 0.57 MiB of `{}` (under the connection limit, so every connection would be looked at), and an
// array nested 100,000 levels deep, while a good sentry answers a valid list. Each bad sentry must be one
// `malformed netstat answer: ...` record, the good one's rows must arrive, and the node must stay up.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listeningPorts, startCli, queryRows, queryNodeArgs } from '../helpers/child-cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../../src/agent/index.js';
import { type Row } from '../../src/index.js';
import { JsonText, NETSTAT_ANSWER_CONNECTION_LIMIT } from '../../src/rpc/index.js';

const KEY = 'k'.repeat(16) + '-answer-bomb';
const ADMIN = 't'.repeat(24);
const DEPTH = 100_000;
const children: ChildProcess[] = [];
const agents: AgentHandle[] = [];
let dir: string;

/** `count` empty objects as one JSON array. */
function emptyObjects(count: number): string {
  return `[${'{},'.repeat(count - 1)}{}]`;
}

/** What each sentry answers, as raw JSON text (the agent sends it as is). */
const ANSWERS: Readonly<Record<string, string>> = {
  good: JSON.stringify([
    { pid: 7, protocol: 'tcp', local_ip: '127.0.0.1', local_port: 7, remote_ip: '0.0.0.0', remote_port: 0, state: 'LISTEN' },
  ]),
  bomb: emptyObjects(Math.floor((8 * 1024 * 1024) / 3)), // 8 MiB
  wide: emptyObjects(NETSTAT_ANSWER_CONNECTION_LIMIT - 1), // 0.57 MiB, every element to be looked at
  deep: '['.repeat(DEPTH) + ']'.repeat(DEPTH),
};

/** The `_error` each bad sentry must get. */
const EXPECTED_ERRORS: Readonly<Record<string, string | RegExp>> = {
  bomb: `malformed netstat answer: ${Math.floor((8 * 1024 * 1024) / 3)} connections, more than the limit of ${NETSTAT_ANSWER_CONNECTION_LIMIT}`,
  wide: 'malformed netstat answer: [0].protocol: expected tcp, tcp6, udp or udp6',
  deep: /^malformed netstat answer: \[0\]: expected a connection object \(got \[\[\[\[.{0,60}\)$/,
};

/** Records of `text` on a node's query port, as the administrator. */
const query = (port: number, text: string): Promise<Row[]> => queryRows(port, ADMIN, text);

function startHostileAgent(port: number, guid: string): Promise<void> {
  const answer = new JsonText(ANSWERS[guid]!);
  return new Promise((resolve) => {
    agents.push(
      startAgent({
        url: `ws://127.0.0.1:${port}`,
        guid,
        key: KEY,
        methods: { netstat: () => answer },
        onStatus: (s) => {
          if (s.state === 'connected') resolve();
        },
      }),
    );
  });
}

let node: Record<string, number>;
let nodeProcess: ChildProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'answer-bomb-'));
  const keys = Object.fromEntries(Object.keys(ANSWERS).map((guid) => [guid, KEY]));
  await writeFile(join(dir, 'keys.json'), JSON.stringify(keys), { mode: 0o600 });
  await writeFile(join(dir, 'admin.token'), `${ADMIN}\n`, { mode: 0o600 });
  nodeProcess = startCli(children, ...queryNodeArgs(join(dir, 'keys.json'), join(dir, 'admin.token')));
  node = await listeningPorts(nodeProcess, 2);
  await Promise.all(Object.keys(ANSWERS).map((guid) => startHostileAgent(node['listening']!, guid)));
}, 30_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  for (const child of children) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

function expectAlive(child: ChildProcess): void {
  expect(child.exitCode).toBeNull();
  expect(child.signalCode).toBeNull();
}

/** One record per bad sentry with its `_error`, and the good sentry's row. */
function expectVerdicts(rows: readonly Row[]): void {
  const byGuid = new Map<unknown, Row[]>();
  for (const row of rows) byGuid.set(row['guid'], [...(byGuid.get(row['guid']) ?? []), row]);
  expect(byGuid.get('good')).toMatchObject([{ guid: 'good', pid: 7, local_port: 7, state: 'LISTEN' }]);
  for (const [guid, error] of Object.entries(EXPECTED_ERRORS)) {
    const got = byGuid.get(guid);
    expect(got, guid).toHaveLength(1);
    expect(got![0], guid).toMatchObject({ guid });
    expect(got![0]!['_error'], guid).toMatch(error);
  }
  expect(rows).toHaveLength(1 + Object.keys(EXPECTED_ERRORS).length);
}

describe('a sentry answering a bomb', () => {
  it('on the node: one _error per bad sentry, the good sentry rows, the node stays up', async () => {
    const rows = await query(node['queries']!, 'sentry | fields guid | sentry-netstat timeout=60');
    expectVerdicts(rows);
    expectAlive(nodeProcess);
    // and it still answers
    expect(await query(node['queries']!, 'sentry | search guid == "good" | fields guid | sentry-netstat timeout=10')).toMatchObject([
      { guid: 'good', pid: 7 },
    ]);
  }, 60_000);
});
