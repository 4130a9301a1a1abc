import { describe, expect, it } from 'vitest';
import { IpAddress } from '../../../src/runtime/ip-address.js';
import type { Row } from '../../../src/runtime/value.js';
import { statsCommand } from '../../../src/host/commands/stats.js';
import { driveCollected, parseErrorOf } from '../../helpers/drive-collected.js';

const input: Row[] = [{ state: 'LISTEN', pid: 1 }, { state: 'ESTABLISHED', pid: null }, { state: 'LISTEN' }, { pid: 4 }];

describe('stats', () => {
  it('counts by a field, groups in first-seen order, by-fields first', async () => {
    const { rows } = await driveCollected(statsCommand, ' count by state', input);
    expect(rows).toEqual([
      { state: 'LISTEN', count: 2 },
      { state: 'ESTABLISHED', count: 1 },
      { state: null, count: 1 },
    ]);
    expect(Object.keys(rows[0] ?? {})).toEqual(['state', 'count']);
  });

  it('counts non-null values with count(f), and renames with as', async () => {
    const { rows } = await driveCollected(statsCommand, ' count AS n, count(pid), count(pid) as with_pid', input);
    expect(rows).toEqual([{ n: 4, 'count(pid)': 2, with_pid: 2 }]);
  });

  it('groups by several fields, telling types apart but not number kinds', async () => {
    const rows: Row[] = [
      { ip: IpAddress.parse('1.2.3.4'), port: 80 },
      { ip: '1.2.3.4', port: 80 },
      { ip: IpAddress.parse('1.2.3.4'), port: 80n },
      { ip: IpAddress.parse('1.2.3.4'), port: '80' },
    ];
    const result = await driveCollected(statsCommand, ' count by ip, port', rows);
    expect(result.rows.map((row) => [String(row['ip']), row['ip'] instanceof IpAddress, row['port'], row['count']])).toEqual([
      ['1.2.3.4', true, 80, 2],
      ['1.2.3.4', false, 80, 1],
      ['1.2.3.4', true, '80', 1],
    ]);
  });

  it('counts distinct non-null values with dc(f), per group, numbers of any kind as one value', async () => {
    const rows: Row[] = [
      { guid: 'web-01', port: 80 },
      { guid: 'web-01', port: 80n },
      { guid: 'web-01', port: 443 },
      { guid: 'db-01', port: 5432 },
      { guid: 'db-01', port: null },
      { guid: 'db-01', port: '5432' },
    ];
    expect((await driveCollected(statsCommand, ' dc(port) as ports, count by guid', rows)).rows).toEqual([
      { guid: 'web-01', ports: 2, count: 3 },
      { guid: 'db-01', ports: 2, count: 3 },
    ]);
    expect((await driveCollected(statsCommand, ' DC(port)', rows)).rows).toEqual([{ 'dc(port)': 4 }]);
    expect((await driveCollected(statsCommand, ' dc(port)', [])).rows).toEqual([{ 'dc(port)': 0 }]);
  });

  it('refuses dc without a field, and two outputs named alike', () => {
    expect(parseErrorOf(statsCommand, ' dc').code).toBe(90003);
    expect(parseErrorOf(statsCommand, ' dc(a), dc(a)').message).toContain('duplicate output field dc(a)');
  });

  it('gives one zero row over no input without by, and no rows with by', async () => {
    expect((await driveCollected(statsCommand, ' count, count(x)', [])).rows).toEqual([{ count: 0, 'count(x)': 0 }]);
    expect((await driveCollected(statsCommand, ' count by state', [])).rows).toEqual([]);
  });

  it('emits nothing when closed for cancel or limit', async () => {
    for (const closeWith of ['cancel', 'limit'] as const) {
      expect((await driveCollected(statsCommand, ' count by state', input, { closeWith })).rows).toEqual([]);
    }
  });

  it.each([
    ['', 0, 'expected "count" or "dc" but end of input found'],
    [' sum(x)', 1, 'expected "count" or "dc" but "s" found'],
    [' count by', 9, 'expected field name but end of input found'],
    [' count(', 7, 'expected field name but end of input found'],
    [' count, count', 8, 'duplicate output field count'],
    [' count as state by state', 1, 'duplicate output field state'],
  ])('refuses %j with 90003 at offset %i', (argText, offset, detail) => {
    const error = parseErrorOf(statsCommand, argText);
    expect(error.code).toBe(90003);
    expect(error.offset).toBe(offset);
    expect(error.message).toBe(`Invalid arguments for 'stats' at offset ${offset}: ${detail}.`);
  });
});
