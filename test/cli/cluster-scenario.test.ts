// `sentry-query --scenario examples/cluster.json "sentry | fields guid | sonar-sentry-netstat"` as a child process.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'src', 'cli', 'main.js');

describe('sentry-query with a cluster scenario', () => {
  it('returns every sentry\'s connections with node; the down node\'s sentry gets an _error naming it', async () => {
    const { stdout } = await run(process.execPath, [bin, '--scenario', join(root, 'examples', 'cluster.json'), '--format', 'jsonl', 'sentry | fields guid | sonar-sentry-netstat']);
    const rows = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const byGuid = (guid: string) => rows.filter((r) => r['guid'] === guid);
    expect(byGuid('web-01').map((r) => r['node'])).toEqual(['dn1', 'dn1']);
    expect(byGuid('web-02').map((r) => r['node'])).toEqual(['dn1']);
    expect(byGuid('db-01').map((r) => [r['node'], r['local_port']])).toEqual([['dn2', 5432], ['dn2', 45861]]);
    expect(byGuid('batch-01')).toEqual([{ guid: 'batch-01', _error: 'node dn3 is unreachable' }]);
    expect(new Set(rows.map((r) => r['guid']))).toEqual(new Set(['web-01', 'web-02', 'db-01', 'batch-01']));
  });

  it('names the bad path of a bad nodes entry, exit 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cluster-'));
    try {
      const file = join(dir, 'bad.json');
      await writeFile(file, JSON.stringify({ nodes: [{ name: 'dn1' }, { name: 'dn1', fail: 'slow' }] }));
      const failed = await run(process.execPath, [bin, '--scenario', file, 'sentry']).then(() => undefined, (e: { code: number; stderr: string }) => e);
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toContain('nodes[1]');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
