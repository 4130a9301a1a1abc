// threadSocketOwners on a busy process: its fd table grows between the stat of /proc/PID/fd and those of its
// threads' fd directories (a server accepting connections), while every thread shares that one table.
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, symlinkSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as Fs from 'node:fs';
import { threadSocketOwners } from '../../src/agent/socket-owners.js';

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof Fs>();
  return { ...fs, statSync: vi.fn(fs.statSync), readlinkSync: vi.fn(fs.readlinkSync) };
});

const FDS = 100;
const THREADS = 20;
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'thread-churn-'));
  const fdDirs = [join(root, '1', 'fd'), ...Array.from({ length: THREADS }, (_, t) => join(root, '1', 'task', String(t + 1), 'fd'))];
  for (const dir of fdDirs) {
    mkdirSync(dir, { recursive: true });
    for (let fd = 0; fd < FDS; fd++) symlinkSync(`socket:[${1000 + fd}]`, join(dir, String(fd)));
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('threadSocketOwners on a process whose shared fd table grows meanwhile', () => {
  it('does not read every fd link of every thread (they all share the one table)', () => {
    // The kernel's fd count (Linux 6.2+): FDS when the process's directory is first stat'ed, FDS + 1 from then
    // on (the process opened a socket right after).
    let count = FDS;
    vi.mocked(statSync).mockImplementation(((path: string) => {
      const size = count;
      if (path === join(root, '1', 'fd')) count = FDS + 1;
      return { size } as Stats;
    }) as typeof statSync);
    const links = vi.mocked(readlinkSync);
    links.mockClear();
    // A socket no fd table holds (a kernel socket, or one closed meanwhile): the walk never ends early.
    const found = threadSocketOwners(root, new Set([999_999]), new Map());
    expect(found).toBe(0);
    // Without the fix: all 20 threads' links (2,000 readlinks) for a table the walk of /proc/PID/fd read already.
    expect(links.mock.calls.length).toBeLessThan(FDS);
  });
});
