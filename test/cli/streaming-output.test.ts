// CSV streams: with a fast and a slow sentry, the header and the fast sentry's row are on stdout while the slow
// one is still awaited (the process is still running). The real bin, its stdout read as it comes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Children } from '../helpers/child-cli.js';
import { connection } from '../helpers/fleet.js';

const children = new Children();
let dir: string;
let scenario: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sentry-query-stream-'));
  scenario = join(dir, 'fleet.json');
  const sentries = [
    { guid: 'fast', delay_ms: 0, connections: [connection({ pid: 1 })] },
    { guid: 'slow', delay_ms: 60_000, connections: [connection({ pid: 2 })] },
  ];
  await writeFile(scenario, JSON.stringify({ sentries }));
});
afterEach(() => children.killAll());
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('csv streams', () => {
  it("writes the fixed header (with _error) and the fast sentry's row while the slow sentry is still awaited", async () => {
    const child = children.start(['--scenario', scenario, '--format', 'csv', 'sentry | fields guid | sentry-netstat timeout=120']);
    await child.waitFor('stdout', /^fast,1,/m);
    expect(child.output.stdout.split('\n')[0]).toBe('guid,pid,protocol,local_ip,local_port,remote_ip,remote_port,state,_error');
    // Still running: the slow sentry answers after a minute, so the row came before the query's end.
    expect(child.process.exitCode).toBeNull();
    expect(child.output.stdout).not.toContain('slow');
  });
});
