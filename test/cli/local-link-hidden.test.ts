// The main job runs a connector and this host's agent in the CLI's own process, linked over loopback: those
// sockets exist only because the query runs, so its netstat leaves them out (src/cli/without-own-link.ts).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { platform } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { WireConnection } from '../../src/commands/netstat-vocabulary.js';
import { withoutOwnLink } from '../../src/cli/without-own-link.js';

const bin = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
// Every socket of this host is printed: tens of thousands on a busy one.
const ALL_OF_A_BUSY_HOST = 256 * 1024 * 1024;

/** Runs the CLI; resolves with its pid and its output. */
const runCli = (args: string[]): Promise<{ pid: number; stdout: string }> =>
  new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [bin, ...args], { maxBuffer: ALL_OF_A_BUSY_HOST }, (error, stdout) =>
      error ? reject(error) : resolve({ pid: child.pid!, stdout }),
    );
  });

describe.runIf(platform() === 'linux')('the main job on this host', () => {
  it("does not list the sockets of its own connector and agent (the CLI's pid) among the host's", async () => {
    const { pid, stdout } = await runCli(['--format', 'jsonl', 'sentry | fields guid | sentry-netstat']);
    const rows = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r['pid'] === pid)).toEqual([]);
  });
});

describe('withoutOwnLink', () => {
  const own = 4242;
  const link = 40001;
  const socket = (c: Partial<WireConnection>): WireConnection => ({
    pid: own,
    protocol: 'tcp',
    local_ip: '127.0.0.1',
    local_port: 50000,
    remote_ip: '127.0.0.1',
    remote_port: link,
    state: 'ESTABLISHED',
    ...c,
  });

  it("drops the link's listener and both of its ends, and keeps every other socket, even on the same ports", async () => {
    const listener = socket({ local_port: link, remote_ip: '0.0.0.0', remote_port: 0, state: 'LISTEN' });
    const accepted = socket({ local_port: link, remote_port: 50000 });
    const agentEnd = socket({ local_port: 50000, remote_port: link });
    const kept = [
      socket({ pid: 7, local_port: 50001, remote_port: link }), // another process talking to that port
      socket({ pid: null, local_port: 50002, remote_port: link, state: 'TIME_WAIT' }), // owner unknown
      socket({ local_port: 8080, remote_ip: '0.0.0.0', remote_port: 0, state: 'LISTEN' }), // this process, another port
      socket({ protocol: 'udp', local_port: link, remote_ip: '0.0.0.0', remote_port: 0, state: 'NONE' }),
    ];
    const methods = withoutOwnLink({ netstat: () => [listener, accepted, agentEnd, ...kept], other: () => 'as is' }, link, own);
    expect(await methods['netstat']!({})).toEqual(kept);
    expect(methods['other']!({})).toBe('as is');
  });
});
