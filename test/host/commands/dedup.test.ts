import { describe, expect, it } from 'vitest';
import { IpAddress } from '../../../src/runtime/ip-address.js';
import type { Row } from '../../../src/runtime/value.js';
import { dedupCommand } from '../../../src/host/commands/dedup.js';
import { driveCollected, parseErrorOf } from '../../helpers/drive-collected.js';

const input: Row[] = [
  { n: 1, guid: 'web-01', port: 443 },
  { n: 2, guid: 'web-01', port: 443 },
  { n: 3, guid: 'web-01', port: 22 },
  { n: 4, guid: 'db-01', port: 443n },
  { n: 5, guid: 'db-01' },
  { n: 6, guid: 'db-01', port: 443.0 },
];

const ns = async (args: string, rows: Row[] = input): Promise<unknown[]> =>
  (await driveCollected(dedupCommand, args, rows)).rows.map((row) => row['n']);

describe('dedup', () => {
  it('keeps the first record of each value, in input order', async () => {
    expect(await ns(' guid')).toEqual([1, 4]);
    expect(await ns(' port')).toEqual([1, 3]);
  });

  it('keeps the first of each combination, and drops records where a field is null', async () => {
    expect(await ns(' guid, port')).toEqual([1, 3, 4]);
  });

  it('tells an ipaddr from its text', async () => {
    expect(
      await ns(' ip', [
        { n: 1, ip: IpAddress.parse('10.0.0.1') },
        { n: 2, ip: '10.0.0.1' },
        { n: 3, ip: IpAddress.parse('10.0.0.1') },
      ]),
    ).toEqual([1, 2]);
  });

  it('refuses no field', () => {
    expect(parseErrorOf(dedupCommand, '').code).toBe(90003);
  });
});
