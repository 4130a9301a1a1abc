// Text from sentries is untrusted: what an operator sees when sentries report hostile host names, os and
// exception messages. A real node (child process) holds real agents on loopback; the operator's real CLI
// (child process) queries it with --host, as table, CSV and JSON lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../../src/agent/index.js';
import { SENTRY_ERROR_MAX_CHARS, SENTRY_LABEL_MAX_CHARS } from '../../src/rpc/limits.js';

const bin = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const ADMIN = 'a'.repeat(24);
const KEY = 'k'.repeat(24);

/** Clear the screen, set the clipboard (OSC 52), ring the bell, return the carriage, NUL, a one-byte CSI. */
const HOSTILE = '\x1b[2J\x1b]52;c;SGVsbG8=\x07\r\0\x9b31m';
/** A sentry's exception message of 1 MiB, starting with the hostile sequences. */
const HUGE_ERROR = `${HOSTILE}${'x'.repeat(1024 * 1024 - HOSTILE.length)}`;
/** Text a spreadsheet runs as a formula, by guid. */
const FORMULAS: Readonly<Record<string, string>> = {
  'csv-eq': "=cmd|' /C calc'!A0",
  'csv-plus': '+1+2',
  'csv-minus': '-2+3',
  'csv-at': '@SUM(1+1)',
};
/** Control characters a terminal acts on (C0 but LF, DEL, C1). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

let dir: string;
let node: ChildProcess;
let queryUrl: string;
const agents: AgentHandle[] = [];

function connect(url: string, guid: string, hostname: string, os: string, netstat: () => unknown): Promise<void> {
  return new Promise((resolve) => {
    agents.push(
      startAgent({
        url,
        guid,
        key: KEY,
        hostname,
        os,
        methods: { netstat },
        backoff: () => 50,
        onStatus: (s) => {
          if (s.state === 'connected') resolve();
        },
      }),
    );
  });
}

/** `sentry-query --host … --format FORMAT QUERY` as the operator runs it. */
function sentryQuery(format: string, query: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, '--host', queryUrl, '--token-file', join(dir, 'admin.token'), '--format', format, query]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'untrusted-text-'));
  const guids = ['evil-1', ...Object.keys(FORMULAS)];
  await writeFile(join(dir, 'keys.json'), JSON.stringify(Object.fromEntries(guids.map((g) => [g, KEY]))), { mode: 0o600 });
  await writeFile(join(dir, 'admin.token'), `${ADMIN}\n`, { mode: 0o600 });
  node = spawn(
    process.execPath,
    [bin, 'node', '--listen', '0', '--keys', join(dir, 'keys.json'), '--query-port', '0', '--admin-token-file', join(dir, 'admin.token')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const urls = await new Promise<string[]>((resolve) => {
    const seen: string[] = [];
    const lines = createInterface({ input: node.stdout! });
    lines.on('line', (line) => {
      seen.push(line.replace(/^\w+ on /, ''));
      if (seen.length === 2) {
        lines.close();
        resolve(seen);
      }
    });
  });
  const [sentryUrl, queries] = urls as [string, string];
  queryUrl = queries;
  await connect(sentryUrl, 'evil-1', `web${HOSTILE}-01`, `linux${HOSTILE}`, () => {
    throw new Error(HUGE_ERROR);
  });
  for (const [guid, formula] of Object.entries(FORMULAS)) await connect(sentryUrl, guid, formula, formula, () => []);
}, 30_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  node?.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('text from sentries reaches the operator escaped and bounded', () => {
  it('table: a hostile host name, os and _error show their escape sequences as text, one line per record', async () => {
    const run = await sentryQuery('table', 'sentry | search guid == "evil-1" | fields guid, hostname, os | sentry-netstat');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('1 record\n');
    // Nothing a terminal would act on: no ESC, BEL, CR, NUL, C1.
    expect(run.stdout).not.toMatch(RAW_CONTROL);
    // … but the operator sees that they were there.
    const shown = '\\x1b[2J\\x1b]52;c;SGVsbG8=\\x07\\r\\x00\\x9b31m';
    expect(run.stdout).toContain(`web${shown}-01`);
    expect(run.stdout).toContain(`linux${shown}`);
    expect(run.stdout).toContain(`${shown}xxxx`);
    // A compact table of one record: top border, heading, rule, the record, bottom border; all as wide.
    const lines = run.stdout.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(5);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    // guid + host name + os + _error, each within its bound, plus borders.
    expect(lines[0]!.length).toBeLessThan(SENTRY_ERROR_MAX_CHARS + 2 * SENTRY_LABEL_MAX_CHARS + 64);
  });

  it('jsonl: a 1 MiB exception message from a sentry arrives cut to the bound, with the marker', async () => {
    const run = await sentryQuery('jsonl', 'sentry | search guid == "evil-1" | fields guid | sentry-netstat');
    expect(run.code).toBe(0);
    const rows = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { guid: string; _error: string });
    expect(rows).toHaveLength(1);
    const error = rows[0]!._error;
    expect(error).toMatch(/^\\x1b\[2J\\x1b\]52;c;SGVsbG8=\\x07\\r\\x00\\x9b31mx+… \[truncated from 1048576 characters\]$/);
    expect(error.length).toBeLessThanOrEqual(SENTRY_ERROR_MAX_CHARS);
    expect(error.length).toBeGreaterThan(SENTRY_ERROR_MAX_CHARS - 8);
    expect(run.stdout).not.toMatch(RAW_CONTROL);
  });

  it('csv: text cells a spreadsheet would run as a formula start with a quote; the number -1 does not', async () => {
    const run = await sentryQuery(
      'csv',
      'sentry | search guid != "evil-1" | fields guid, hostname | eval n = -1 | eval s = "-1" | sort guid',
    );
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('guid,hostname,n,s');
    const cells = Object.fromEntries(lines.slice(1).map((l) => [l.split(',')[0]!, l.split(',').slice(1)]));
    for (const [guid, formula] of Object.entries(FORMULAS)) expect(cells[guid], guid).toEqual([`'${formula}`, '-1', "'-1"]);
  });
});
