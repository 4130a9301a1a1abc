// `sentry-query … | head -1`: a reader that goes away while a sentry is slow stops the query at once, not at the
// query's timeout or the slow sentry's answer. Real processes and a real pipe (the bin; `npm test` builds first).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/child-cli.js';
import { connection } from '../helpers/fleet.js';

const SLOW_SENTRY_MS = 10_000;
let dir: string;
let scenario: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sentry-query-closed-'));
  scenario = join(dir, 'fleet.json');
  const sentries = [
    { guid: 'fast', delay_ms: 0, connections: [connection({ pid: 1 })] },
    { guid: 'slow', delay_ms: SLOW_SENTRY_MS, connections: [connection({ pid: 2 })] },
  ];
  await writeFile(scenario, JSON.stringify({ sentries }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a closed output pipe', () => {
  it.skipIf(process.platform !== 'linux')(
    'the CLI exits soon after its reader closes, long before the slow sentry answers, with no stack trace',
    async () => {
      // sh: the CLI's stdout is a pipe into `head -1`, which exits after the fast sentry's line.
      const query = 'sentry | fields guid | sentry-netstat timeout=20';
      const script = '"$0" "$1" --scenario "$2" "$3" | head -1';
      const shell = spawn('sh', ['-c', script, process.execPath, BIN, scenario, query], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      shell.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      shell.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const started = Date.now();
      const killer = setTimeout(() => shell.kill('SIGKILL'), 30_000);
      const code = await new Promise<number | null>((resolve) => shell.on('close', resolve));
      clearTimeout(killer);
      // sh waits for both ends of the pipe: it ends when the CLI does.
      expect(Date.now() - started).toBeLessThan(SLOW_SENTRY_MS - 2_000);
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ guid: 'fast', pid: 1 });
      expect(stderr).toBe('');
    },
    40_000,
  );
});
