import { describe, expect, it } from 'vitest';
import type { Row } from '../../../src/runtime/value.js';
import { topCommand } from '../../../src/host/commands/top.js';
import { driveCollected, parseErrorOf } from '../../helpers/drive-collected.js';

const ports = (guid: string, ...list: (number | null)[]): Row[] => list.map((port) => ({ guid, port }));
const input: Row[] = [...ports('web-01', 443, 22, 443, 80, 443, 22), ...ports('db-01', 5432, null, 22)];

describe('top', () => {
  it('lists the most common values first with count and percent of the counted records', async () => {
    const { rows } = await driveCollected(topCommand, ' port', input);
    expect(rows).toEqual([
      { port: 443, count: 3, percent: 37.5 },
      { port: 22, count: 3, percent: 37.5 },
      { port: 80, count: 1, percent: 12.5 },
      { port: 5432, count: 1, percent: 12.5 },
    ]);
    expect(Object.keys(rows[0]!)).toEqual(['port', 'count', 'percent']);
  });

  it('keeps limit=N per group of by, and limit=0 keeps all', async () => {
    expect((await driveCollected(topCommand, ' limit=1 port by guid', input)).rows).toEqual([
      { guid: 'web-01', port: 443, count: 3, percent: 50 },
      { guid: 'db-01', port: 5432, count: 1, percent: 50 },
    ]);
    expect((await driveCollected(topCommand, ' limit=0 port', input)).rows).toHaveLength(4);
    expect((await driveCollected(topCommand, ' limit=2 guid, port', input)).rows).toEqual([
      { guid: 'web-01', port: 443, count: 3, percent: 37.5 },
      { guid: 'web-01', port: 22, count: 2, percent: 25 },
    ]);
  });

  it('shows ten values by default, rounds percent to 2 decimals', async () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ port: i }));
    const { rows } = await driveCollected(topCommand, ' port', many);
    expect(rows).toHaveLength(10);
    expect(rows[0]).toEqual({ port: 0, count: 1, percent: 8.33 });
  });

  it('emits nothing when closed for cancel or limit', async () => {
    expect((await driveCollected(topCommand, ' port', input, { closeWith: 'cancel' })).rows).toEqual([]);
  });

  it('refuses a field named like an output, or no field', () => {
    expect(parseErrorOf(topCommand, ' count').message).toContain('count cannot be both a field and an output of top');
    expect(parseErrorOf(topCommand, ' limit=-1 port').code).toBe(90003);
    expect(parseErrorOf(topCommand, '').code).toBe(90003);
  });
});
