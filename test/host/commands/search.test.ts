import { describe, expect, it } from 'vitest';
import { IpAddress } from '../../../src/runtime/ip-address.js';
import type { Row } from '../../../src/runtime/value.js';
import { searchCommand } from '../../../src/host/commands/search.js';
import { driveCollected, parseErrorOf } from '../../helpers/drive-collected.js';

const ip = (text: string): IpAddress => IpAddress.parse(text);

const connections: Row[] = [
  { pid: 1, local_ip: ip('127.0.0.1'), local_port: 5432, state: 'LISTEN', hostname: 'db-01' },
  { pid: 2, local_ip: ip('::1'), local_port: 80, state: 'ESTABLISHED', hostname: 'web-01' },
  { pid: 3, local_ip: ip('10.0.0.7'), local_port: 443, state: 'LISTEN', hostname: 'my-web-02' },
  { pid: 4, local_ip: '127.0.0.1', local_port: '80', state: 'TIME_WAIT' },
];

async function pids(expr: string, rows: Row[] = connections): Promise<unknown[]> {
  return (await driveCollected(searchCommand, ` ${expr}`, rows)).rows.map((row) => row['pid']);
}

describe('search', () => {
  it('matches an ipaddr field against its text form, and a non-canonical address too', async () => {
    expect(await pids('local_ip == "127.0.0.1"')).toEqual([1, 4]);
    expect(await pids('local_ip == "0:0:0:0:0:0:0:1"')).toEqual([2]);
    expect(await pids('local_ip != "127.0.0.1"')).toEqual([2, 3]);
  });

  it('treats * in a string as a wildcard for == and != on strings and ipaddrs', async () => {
    expect(await pids('state == "LIST*"')).toEqual([1, 3]);
    expect(await pids('hostname == "*web*"')).toEqual([2, 3]);
    expect(await pids('local_ip == "127.*"')).toEqual([1, 4]);
    expect(await pids('state != "*WAIT"')).toEqual([1, 2, 3]);
    // A wildcard never matches a number, and a missing field is not matched by "*".
    expect(await pids('local_port == "4*"')).toEqual([]);
    expect(await pids('hostname == "*"')).toEqual([1, 2, 3]);
  });

  it('keeps regex characters in a pattern literal', async () => {
    expect(
      await pids('name == "a.b*"', [
        { pid: 1, name: 'a.bc' },
        { pid: 2, name: 'axbc' },
      ]),
    ).toEqual([1]);
  });

  it('never equates or orders different types', async () => {
    expect(await pids('local_port == 80')).toEqual([2]);
    expect(await pids('local_port == "80"')).toEqual([4]);
    expect(await pids('local_port > 100')).toEqual([1, 3]);
    expect(await pids('state < 5')).toEqual([]);
  });

  it('reads a missing field as null: equal to null, unordered, unequal to anything else', async () => {
    expect(await pids('hostname == null')).toEqual([4]);
    expect(await pids('hostname != null')).toEqual([1, 2, 3]);
    expect(await pids('hostname != "db-01"')).toEqual([2, 3, 4]);
    expect(await pids('hostname < "zzz"')).toEqual([1, 2, 3]);
  });

  it('orders ipaddrs by address and against address text', async () => {
    expect(await pids('local_ip < "10.0.0.8"')).toEqual([3]);
    expect(await pids('local_ip >= "127.0.0.1"')).toEqual([1, 2, 4]); // pid 4's string compares as a string
  });

  it('combines with not > and > or, case-insensitive keywords, and parentheses', async () => {
    expect(await pids('state == "LISTEN" OR pid == 2 AND local_port == 443')).toEqual([1, 3]);
    expect(await pids('(state == "LISTEN" or pid == 2) and local_port == 443')).toEqual([3]);
    expect(await pids('NOT state == "LISTEN" and pid < 4')).toEqual([2]);
  });

  it('compares numbers across number and bigint, with decimals and negatives', async () => {
    const rows: Row[] = [
      { pid: 1, n: 2n ** 60n },
      { pid: 2, n: -1.5 },
      { pid: 3, n: 1 },
    ];
    expect(await pids('n > 9007199254740993', rows)).toEqual([1]);
    expect(await pids('n < -1', rows)).toEqual([2]);
    expect(await pids('n == 1.0', rows)).toEqual([3]);
  });

  it('drops records where the expression is not a boolean', async () => {
    expect(await pids('pid')).toEqual([]);
    expect(await pids('true')).toEqual([1, 2, 3, 4]);
    expect(await pids('hostname == "db-01" or pid')).toEqual([1]);
  });

  it.each([
    ['', 0, 'expected "(", "-", "\\"", "false", "not", "null", "true", field name, or number but end of input found'],
    [' state = "LISTEN"', 7, 'expected "and", "or", arithmetic operator, comparison operator, or end of input but "=" found'],
    [' state == "LISTEN', 10, 'unterminated string'],
    [' a == 1 == 2', 8, 'expected "and", "or", arithmetic operator, or end of input but "=" found'],
    [' (a == 1', 8, 'expected ")", "and", "or", or arithmetic operator but end of input found'],
  ])('refuses %j with 90003 at offset %i', (argText, offset, detail) => {
    const error = parseErrorOf(searchCommand, argText);
    expect(error.code).toBe(90003);
    expect(error.offset).toBe(offset);
    expect(error.message).toBe(`Invalid arguments for 'search' at offset ${offset}: ${detail}.`);
  });
});
