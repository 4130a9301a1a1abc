import { describe, expect, it } from 'vitest';
import { IpAddress } from '../../../src/runtime/ip-address.js';
import type { Row } from '../../../src/runtime/value.js';
import { sortCommand } from '../../../src/host/commands/sort.js';
import { driveCollected, parseErrorOf } from '../../helpers/drive-collected.js';

async function ids(argText: string, rows: Row[]): Promise<unknown[]> {
  return (await driveCollected(sortCommand, argText, rows)).rows.map((row) => row['id']);
}

describe('sort', () => {
  it('sorts ascending, stable, with nulls and missing fields last', async () => {
    const rows: Row[] = [{ id: 'a', n: 3 }, { id: 'b' }, { id: 'c', n: 1 }, { id: 'd', n: 3n }, { id: 'e', n: null }, { id: 'f', n: 2.5 }];
    expect(await ids(' n', rows)).toEqual(['c', 'f', 'a', 'd', 'b', 'e']);
  });

  it('sorts descending with -, and breaks ties with later keys', async () => {
    const rows: Row[] = [
      { id: 1, s: 'x', n: 1 },
      { id: 2, s: 'y', n: 1 },
      { id: 3, s: 'x', n: 2 },
    ];
    expect(await ids(' -n, s', rows)).toEqual([3, 1, 2]);
    expect(await ids(' s, -id', rows)).toEqual([3, 1, 2]);
  });

  it('orders ipaddrs by address (IPv4 first), not by text', async () => {
    const rows: Row[] = ['10.0.0.10', '::1', '9.0.0.1', '10.0.0.9'].map((text) => ({ id: text, ip: IpAddress.parse(text) }));
    expect(await ids(' ip', rows)).toEqual(['9.0.0.1', '10.0.0.9', '10.0.0.10', '::1']);
  });

  it('orders mixed types by type rank: numbers, strings, ipaddrs, timestamps, bools', async () => {
    const rows: Row[] = [
      { id: 'bool', v: true },
      { id: 'time', v: new Date(0) },
      { id: 'ip', v: IpAddress.parse('1.1.1.1') },
      { id: 'string', v: '1' },
      { id: 'number', v: 99 },
    ];
    expect(await ids(' v', rows)).toEqual(['number', 'string', 'ip', 'time', 'bool']);
  });

  it('keeps the first N with limit=N', async () => {
    const rows: Row[] = [5, 3, 9, 1].map((id) => ({ id }));
    expect(await ids(' limit=2 -id', rows)).toEqual([9, 5]);
    expect(await ids(' limit = 10 id', rows)).toEqual([1, 3, 5, 9]);
  });

  it('emits nothing when closed for cancel', async () => {
    expect((await driveCollected(sortCommand, ' id', [{ id: 1 }], { closeWith: 'cancel' })).rows).toEqual([]);
  });

  it('reads a field named limit as a key', async () => {
    expect(
      await ids(' limit', [
        { id: 1, limit: 2 },
        { id: 2, limit: 1 },
      ]),
    ).toEqual([2, 1]);
  });

  it.each([
    ['', 0, 'expected "-", "limit", or field name but end of input found'],
    [' limit=0 n', 7, 'limit must be at least 1'],
    [' limit=x n', 7, 'expected integer but "x" found'],
    [' n,', 3, 'expected "-" or field name but end of input found'],
  ])('refuses %j with 90003 at offset %i', (argText, offset, detail) => {
    const error = parseErrorOf(sortCommand, argText);
    expect(error.code).toBe(90003);
    expect(error.offset).toBe(offset);
    expect(error.message).toBe(`Invalid arguments for 'sort' at offset ${offset}: ${detail}.`);
  });
});
