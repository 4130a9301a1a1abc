// `sentry-query --scenario examples/cluster.json "sentry | fields guid | sonar-sentry-netstat"`, in process.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/run-cli.js';

const root = join(import.meta.dirname, '..', '..');

describe('sentry-query with a cluster scenario', () => {
  it("returns every sentry's connections with node; the down node's sentry gets an _error naming it", async () => {
    const { code, stdout } = await runCliInProcess([
      '--scenario',
      join(root, 'examples', 'cluster.json'),
      '--format',
      'jsonl',
      'sentry | fields guid | sonar-sentry-netstat',
    ]);
    expect(code).toBe(0);
    const rows = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const byGuid = (guid: string) => rows.filter((r) => r['guid'] === guid);
    expect(byGuid('web-01').map((r) => r['node'])).toEqual(['dn1', 'dn1']);
    expect(byGuid('web-02').map((r) => r['node'])).toEqual(['dn1']);
    expect(byGuid('db-01').map((r) => [r['node'], r['local_port']])).toEqual([
      ['dn2', 5432],
      ['dn2', 45861],
    ]);
    expect(byGuid('batch-01')).toEqual([{ guid: 'batch-01', _error: 'node dn3 is unreachable' }]);
    expect(new Set(rows.map((r) => r['guid']))).toEqual(new Set(['web-01', 'web-02', 'db-01', 'batch-01']));
  });

  it('names the bad path of a bad nodes entry, exit 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cluster-'));
    try {
      const file = join(dir, 'bad.json');
      await writeFile(file, JSON.stringify({ nodes: [{ name: 'dn1' }, { name: 'dn1', fail: 'slow' }] }));
      const failed = await runCliInProcess(['--scenario', file, 'sentry']);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('nodes[1]');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
