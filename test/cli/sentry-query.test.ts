import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connection } from '../helpers/fleet.js';
import { runCliInProcess } from '../helpers/run-cli.js';

// The CLI in this process (runCli); only the SIGINT test runs the built bin (`npm test` builds first), since
// the signal handling lives in the bin.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');

const sentryQuery = (...args: string[]) => runCliInProcess(args);

function jsonl(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A stable order for comparing record sets (arrival order differs from input order). */
function sorted(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

const NETSTAT_FIELDS = ['guid', 'pid', 'protocol', 'local_ip', 'local_port', 'remote_ip', 'remote_port', 'state'];

// Addresses as a sentry may send them (not canonical); the CLI must print the canonical text.
const scenario = {
  users: { admin: { admin: true }, bob: { admin: false } },
  sentries: [
    {
      guid: 'web-01',
      delay_ms: 30,
      connections: [
        connection({ pid: 812 }),
        connection({
          pid: 1433,
          local_ip: '10.0.0.5',
          local_port: 443,
          remote_ip: '203.0.113.24',
          remote_port: 51544,
          state: 'ESTABLISHED',
        }),
        connection({ pid: 1432, protocol: 'tcp6', local_ip: '0:0:0:0:0:0:0:1', local_port: 8080, remote_ip: '::', state: 'LISTEN' }),
        connection({ pid: null, protocol: 'udp6', local_ip: '::', local_port: 546, remote_ip: '::', state: 'NONE' }),
      ],
    },
    {
      guid: 'db-01',
      delay_ms: 0,
      connections: [
        connection({ pid: 1021, local_port: 5432 }),
        connection({
          pid: 2210,
          protocol: 'tcp6',
          local_ip: '::ffff:10.0.0.6',
          local_port: 38114,
          remote_ip: '::FFFF:10.0.0.7',
          remote_port: 5432,
          state: 'ESTABLISHED',
        }),
        connection({ pid: null, local_ip: '10.0.0.7', local_port: 41990, remote_ip: '10.0.0.5', remote_port: 5432, state: 'TIME_WAIT' }),
      ],
    },
    { guid: 'cache-01', connected: false },
  ],
};

const expectedRecords = [
  { guid: 'web-01', pid: 812, protocol: 'tcp', local_ip: '0.0.0.0', local_port: 22, remote_ip: '0.0.0.0', remote_port: 0, state: 'LISTEN' },
  {
    guid: 'web-01',
    pid: 1433,
    protocol: 'tcp',
    local_ip: '10.0.0.5',
    local_port: 443,
    remote_ip: '203.0.113.24',
    remote_port: 51544,
    state: 'ESTABLISHED',
  },
  { guid: 'web-01', pid: 1432, protocol: 'tcp6', local_ip: '::1', local_port: 8080, remote_ip: '::', remote_port: 0, state: 'LISTEN' },
  { guid: 'web-01', pid: null, protocol: 'udp6', local_ip: '::', local_port: 546, remote_ip: '::', remote_port: 0, state: 'NONE' },
  {
    guid: 'db-01',
    pid: 1021,
    protocol: 'tcp',
    local_ip: '0.0.0.0',
    local_port: 5432,
    remote_ip: '0.0.0.0',
    remote_port: 0,
    state: 'LISTEN',
  },
  {
    guid: 'db-01',
    pid: 2210,
    protocol: 'tcp6',
    local_ip: '::ffff:10.0.0.6',
    local_port: 38114,
    remote_ip: '::ffff:10.0.0.7',
    remote_port: 5432,
    state: 'ESTABLISHED',
  },
  {
    guid: 'db-01',
    pid: null,
    protocol: 'tcp',
    local_ip: '10.0.0.7',
    local_port: 41990,
    remote_ip: '10.0.0.5',
    remote_port: 5432,
    state: 'TIME_WAIT',
  },
  { guid: 'cache-01', _error: 'not connected' },
];

let dir: string;
let fleet: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sentry-query-'));
  fleet = join(dir, 'fleet.json');
  await writeFile(fleet, JSON.stringify(scenario));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sentry-query: the reference page examples (jsonl, the default off a terminal)', () => {
  it('sentry | fields guid | sentry-netstat: every connection, typed, plus the offline sentry with _error', async () => {
    const { code, stdout, stderr } = await sentryQuery('--scenario', fleet, 'sentry | fields guid | sentry-netstat');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = jsonl(stdout);
    expect(sorted(rows)).toEqual(sorted(expectedRecords));
    for (const row of rows.filter((r) => !('_error' in r))) {
      expect(Object.keys(row)).toEqual(NETSTAT_FIELDS);
      expect(Number.isInteger(row['local_port'])).toBe(true);
      expect(Number.isInteger(row['remote_port'])).toBe(true);
      expect(row['pid'] === null || Number.isInteger(row['pid'])).toBe(true);
      expect(typeof row['local_ip']).toBe('string');
      expect(typeof row['remote_ip']).toBe('string');
    }
  });

  it('... | search state == "LISTEN": only the listening sockets', async () => {
    const { code, stdout, stderr } = await sentryQuery(
      '--scenario',
      fleet,
      'sentry | fields guid | sentry-netstat | search state == "LISTEN"',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(sorted(jsonl(stdout))).toEqual(sorted(expectedRecords.filter((r) => r.state === 'LISTEN')));
  });

  it('... sentry-netstat timeout=60: the same records', async () => {
    const { code, stdout } = await sentryQuery(
      '--scenario',
      fleet,
      '--format',
      'jsonl',
      'sentry | fields guid | sentry-netstat timeout=60',
    );
    expect(code).toBe(0);
    expect(sorted(jsonl(stdout))).toEqual(sorted(expectedRecords));
  });
});

describe('sentry-query: table and csv', () => {
  it('csv: a header of every field (_error last), then one row per record with values as text', async () => {
    const { code, stdout } = await sentryQuery(
      '--scenario',
      fleet,
      '--format',
      'csv',
      'sentry | fields guid | sentry-netstat | sort guid, local_port',
    );
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('guid,pid,protocol,local_ip,local_port,remote_ip,remote_port,state,_error');
    expect(lines).toHaveLength(1 + expectedRecords.length);
    expect(lines).toContain('cache-01,,,,,,,,not connected');
    expect(lines).toContain('db-01,2210,tcp6,::ffff:10.0.0.6,38114,::ffff:10.0.0.7,5432,ESTABLISHED,');
    expect(lines).toContain('web-01,,udp6,::,546,::,0,NONE,');
  });

  it('table: examples/fleet.json (what npm start runs) prints aligned columns and the count on stderr', async () => {
    const { code, stdout, stderr } = await sentryQuery(
      '--scenario',
      join(ROOT, 'examples/fleet.json'),
      '--format',
      'table',
      'sentry | fields guid | sentry-netstat',
    );
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    const header = lines[1]!;
    expect(
      header
        .split('│')
        .map((c) => c.trim())
        .filter((c) => c !== ''),
    ).toEqual([...NETSTAT_FIELDS, '_error']);
    // Aligned: every line of the table is as wide as the header, and the column bars line up.
    const bars = (line: string): number[] => [...line].flatMap((ch, i) => ('│┌┬┐├┼┤└┴┘'.includes(ch) ? [i] : []));
    for (const line of lines) {
      expect(line.length).toBe(header.length);
      expect(bars(line)).toEqual(bars(header));
    }
    const records = lines.length - 4; // top border, header, separator, bottom border
    expect(stderr).toMatch(new RegExp(`^${records} records$`, 'm'));
    expect(stdout).toContain('::ffff:10.0.0.7');
    expect(stdout).toMatch(/│ cache-01 +│.*│ not connected +│/);
    expect(stdout).toMatch(/│ permission denied reading \/proc\/net\/tcp +│/);
  });
});

describe('sentry-query: errors', () => {
  it('23100 for a user without admin rights: exit 2, exactly CODE MESSAGE on stderr', async () => {
    const { code, stdout, stderr } = await sentryQuery('--scenario', fleet, '--user', 'bob', 'sentry | fields guid | sentry-netstat');
    expect(code).toBe(2);
    expect(stderr).toBe('23100 No permission to call sentry RPC.\n');
    expect(stdout).toBe('');
  });

  it('23101 for timeout=0: exit 2, CODE MESSAGE with the value, then the query and a caret under the value', async () => {
    const { code, stdout, stderr } = await sentryQuery('--scenario', fleet, 'sentry | fields guid | sentry-netstat timeout=0');
    expect(code).toBe(2);
    expect(stderr).toBe(
      [
        '23101 Invalid sentry RPC timeout option value. Use a value between 1 and 600. Got "0".',
        '  sentry | fields guid | sentry-netstat timeout=0',
        '                                                ^',
        '',
      ].join('\n'),
    );
    expect(stdout).toBe('');
  });

  it('an unknown option (23102): the options, the closest one, and a caret under the name', async () => {
    const { code, stderr } = await sentryQuery('--scenario', fleet, 'sentry | sentry-netstat timout=5');
    expect(code).toBe(2);
    expect(stderr.split('\n')).toEqual([
      "23102 Unknown option 'timout' at offset 24. Did you mean 'timeout'? The options are: timeout, detail.",
      '  sentry | sentry-netstat timout=5',
      '                          ^',
      '',
    ]);
  });

  it('an unknown command (90001): the closest known one, and a caret under it', async () => {
    const { code, stderr } = await sentryQuery('--scenario', fleet, 'sentry | sentry-netsat');
    expect(code).toBe(2);
    expect(stderr.split('\n')).toEqual([
      "90001 Unknown command 'sentry-netsat' at offset 9. Did you mean 'sentry-netstat'?",
      '  sentry | sentry-netsat',
      '           ^',
      '',
    ]);
  });

  it('a long query shows a window around the offset, each cut end marked', async () => {
    const query = `sentry | eval a = "${'x'.repeat(200)}" | sentry-netstat timeout=0 | eval b = "${'y'.repeat(200)}"`;
    const { code, stderr } = await sentryQuery('--scenario', fleet, query);
    expect(code).toBe(2);
    const [, excerpt, caret] = stderr.split('\n');
    expect(excerpt).toBe(`  …${'x'.repeat(32)}" | sentry-netstat timeout=0 | eval b = "${'y'.repeat(25)}…`);
    expect(caret).toBe(`  ${' '.repeat(60)}^`);
    expect(excerpt![caret!.length - 1]).toBe('0');
  });

  it('a mistyped flag: commander names the closest one, on one line (exit 1)', async () => {
    const { code, stdout, stderr } = await sentryQuery('--formt', 'csv', 'sentry');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe("error: unknown option '--formt' (Did you mean --format?)\n");
  });

  it('a bad scenario file: exit 1, one line naming the file and the bad path, no stack trace', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ sentries: [{ guid: 'web-01', connections: [connection({ local_port: 70000 })] }] }));
    const { code, stdout, stderr } = await sentryQuery('--scenario', bad, 'sentry');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain(bad);
    expect(stderr).toContain('sentries[0].connections[0].local_port');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('a query nested 1,000 parentheses deep: exit 2 with 90004, not a stack overflow', async () => {
    const query = `sentry | search ${'('.repeat(1_000)}guid == "a"${')'.repeat(1_000)}`;
    const { code, stdout, stderr } = await sentryQuery('--scenario', fleet, query);
    expect(code).toBe(2);
    expect(stderr.split('\n')).toEqual([
      "90004 Arguments of 'search' nested too deeply at offset 116: at most 100 levels.",
      `  …${'('.repeat(98)}…`,
      `  ${' '.repeat(60)}^`,
      '',
    ]);
    expect(stdout).toBe('');
  });

  it('a scenario file nested 100,000 levels deep: exit 1, one line naming the file, not a stack overflow', async () => {
    const deep = join(dir, 'deep.json');
    await writeFile(deep, `{"sentries":[{"guid":"a","connections":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`);
    const { code, stdout, stderr } = await sentryQuery('--scenario', deep, 'sentry');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`${deep}: sentries[0].connections[0]: expected a connection object (got [[[[`);
  });

  it('an unknown user: exit 1, one line naming the user', async () => {
    const { code, stdout, stderr } = await sentryQuery('--scenario', fleet, '--user', 'mallory', 'sentry');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe("error: unknown user 'mallory' (the scenario's users: admin, bob)\n");
  });

  it("--user with --host is refused (a node runs queries as the token's administrator), before anything is opened", async () => {
    // The URL is never dialled: the refusal comes first, so no node is needed.
    const { code, stdout, stderr } = await sentryQuery('--host', 'ws://127.0.0.1:9', '--token-file', fleet, '--user', 'bob', 'sentry');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('error: --user does not go with --host: a node runs queries as the administrator of --token-file; drop --user\n');
  });

  it('usage errors (no query, bad --format): exit 1 with one line', async () => {
    const missing = await sentryQuery('--scenario', fleet);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("error: missing required argument 'query'\n");
    const format = await sentryQuery('--scenario', fleet, '--format', 'xml', 'sentry');
    expect(format.code).toBe(1);
    expect(format.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(format.stderr).toContain("'xml' is invalid");
  });
});

describe('sentry-query: interruption', () => {
  it('an abort (what SIGINT does) cancels the running query, keeps what was printed and returns 130', async () => {
    const hanging = join(dir, 'hanging-in-process.json');
    await writeFile(
      hanging,
      JSON.stringify({
        sentries: [
          { guid: 'fast', connections: [connection()] },
          { guid: 'silent', fail: 'timeout' },
        ],
      }),
    );
    const interrupt = new AbortController();
    // Interrupt once the fast sentry's record is out; the silent one would hold the query for 600 s.
    const { code, stdout, stderr } = await runCliInProcess(['--scenario', hanging, 'sentry | fields guid | sentry-netstat timeout=600'], {
      signal: interrupt.signal,
      onStdout: (text) => {
        if (text.includes('\n')) interrupt.abort();
      },
    });
    expect(code).toBe(130);
    expect(jsonl(stdout)).toEqual([{ guid: 'fast', ...connection() }]);
    expect(stderr).toBe('interrupted: query cancelled after 1 record\n');
  });

  it('SIGINT to the bin cancels the running query, keeps what was printed and exits 130', async () => {
    const hanging = join(dir, 'hanging.json');
    await writeFile(
      hanging,
      JSON.stringify({
        sentries: [
          { guid: 'fast', connections: [connection()] },
          { guid: 'silent', fail: 'timeout' },
        ],
      }),
    );
    const child = spawn(process.execPath, [CLI, '--scenario', hanging, 'sentry | fields guid | sentry-netstat timeout=600'], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Interrupt once the fast sentry's record is out; the silent one would hold the query for 600 s.
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        stdout += text;
        if (stdout.includes('\n')) resolve();
      });
    });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(jsonl(stdout)).toEqual([{ guid: 'fast', ...connection() }]);
    expect(stderr).toContain('interrupted');
  });
});
