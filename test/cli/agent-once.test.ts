// `sentry-query agent --once` as a real child process, reading the real /proc of this host.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { platform } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
// Every socket of this host is printed: tens of thousands on a busy one (the collection benchmark holds 40,000).
const ALL_OF_A_BUSY_HOST = 256 * 1024 * 1024;
const bin = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

describe.runIf(platform() === 'linux')('sentry-query agent --once', () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    server.close();
  });

  it("prints this host's connections as sentry-netstat records, including the test's own listening socket", async () => {
    const port = (server.address() as { port: number }).port;
    const { stdout } = await run(process.execPath, [bin, 'agent', '--once', '--guid', 'me', '--format', 'jsonl'], {
      maxBuffer: ALL_OF_A_BUSY_HOST,
    });
    const rows = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toContainEqual({
      guid: 'me',
      pid: process.pid,
      protocol: 'tcp',
      local_ip: '127.0.0.1',
      local_port: port,
      remote_ip: '0.0.0.0',
      remote_port: 0,
      state: 'LISTEN',
    });
    for (const row of rows)
      expect(Object.keys(row)).toEqual(['guid', 'pid', 'protocol', 'local_ip', 'local_port', 'remote_ip', 'remote_port', 'state']);
  });

  it('--detail adds the six detail columns after state, in jsonl, csv and table', async () => {
    const port = (server.address() as { port: number }).port;
    const once = async (format: string) =>
      (
        await run(process.execPath, [bin, 'agent', '--once', '--detail', '--guid', 'me', '--format', format], {
          maxBuffer: ALL_OF_A_BUSY_HOST,
        })
      ).stdout;
    const rows = (await once('jsonl'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const fields = ['guid', 'pid', 'protocol', 'local_ip', 'local_port', 'remote_ip', 'remote_port', 'state'];
    const detail = ['process', 'owners', 'uid', 'inode', 'netns', 'container'];
    for (const row of rows) expect(Object.keys(row)).toEqual([...fields, ...detail]);
    const own = rows.find((row) => row['local_port'] === port && row['protocol'] === 'tcp' && row['state'] === 'LISTEN');
    expect(own).toMatchObject({ guid: 'me', pid: process.pid, local_ip: '127.0.0.1' });
    // The test process holds the socket: it is an owner, its name and uid are the socket's.
    expect(own!['owners']).toContain(process.pid);
    expect(own!['uid']).toBe(process.getuid!());
    expect(own!['process']).toBe(readFileSync(`/proc/${process.pid}/comm`, 'utf8').trim());
    expect(own!['netns']).toBe(Number(/\d+/.exec(readlinkSync('/proc/self/ns/net'))![0]));
    expect((await once('csv')).split('\n')[0]).toBe([...fields, ...detail].join(','));
    expect((await once('table')).split('\n')[1]).toMatch(/ state +│ +process +│ +owners +│ +uid +│ +inode +│ +netns +│ +container +│$/);
  });

  it('--detail without --once is an error, exit 1', async () => {
    const failed = await run(process.execPath, [bin, 'agent', '--detail', '--connect', 'ws://127.0.0.1:1', '--key-file', 'x']).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/^error: --detail goes with --once/);
  });

  it('prints the same lines from the bundle (dist/agent-once.mjs) as through the full agent mode', async () => {
    const [bundled, full] = await Promise.all([
      run(process.execPath, [bin, 'agent', '--once', '--guid', 'me', '--format', 'jsonl'], { maxBuffer: ALL_OF_A_BUSY_HOST }),
      // A repeated --log-level is not a command line agent-once.ts takes as is: the full mode (commander) runs it.
      run(process.execPath, [bin, 'agent', '--once', '--guid', 'me', '--format', 'jsonl', '--log-level', 'info', '--log-level', 'info'], {
        maxBuffer: ALL_OF_A_BUSY_HOST,
      }),
    ]);
    expect(existsSync(join(bin, '..', '..', '..', 'agent-once.mjs'))).toBe(true);
    const ours = (text: string) => text.split('\n').filter((line) => line.includes(`"pid":${process.pid},`));
    expect(ours(bundled.stdout)).toEqual(ours(full.stdout));
    expect(ours(bundled.stdout).length).toBeGreaterThan(0);
  });

  it('leaves help and usage errors to the full mode', async () => {
    const help = await run(process.execPath, [bin, 'agent', '--once', '--help']);
    expect(help.stdout).toContain('Usage: sentry-query agent');
    const failed = await run(process.execPath, [bin, 'agent', '--once', '--format', 'yaml']).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/^error: option '--format <format>' argument 'yaml' is invalid/);
  });

  it('without --once or --connect, says what to give, exit 1', async () => {
    const failed = await run(process.execPath, [bin, 'agent']).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toBe(
      "error: give --connect URL --key-file FILE (or --nats URLS --creds FILE) to run the sentry, or --once to print this host's connections\n",
    );
  });
});
