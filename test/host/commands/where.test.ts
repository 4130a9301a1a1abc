import { describe, expect, it } from 'vitest';
import { IpAddress } from '../../../src/runtime/ip-address.js';
import type { Row } from '../../../src/runtime/value.js';
import { whereCommand } from '../../../src/host/commands/where.js';
import { searchCommand } from '../../../src/host/commands/search.js';
import { driveCollected, parseErrorOf } from '../../helpers/drive-collected.js';

const ip = (text: string): IpAddress => IpAddress.parse(text);

const connections: Row[] = [
  { pid: 1, remote_ip: ip('10.1.2.3'), local_port: 22 },
  { pid: 2, remote_ip: ip('203.0.113.24'), local_port: 443 },
  { pid: 3, remote_ip: ip('::ffff:10.9.9.9'), local_port: 8080 },
  { pid: 4, remote_ip: ip('fd00::1'), local_port: 53 },
  { pid: 5, remote_ip: '10.0.0.1', local_port: 80 },
  { pid: 6, local_port: 25 },
];

async function pids(command: typeof whereCommand, expr: string): Promise<unknown[]> {
  return (await driveCollected(command, ` ${expr}`, connections)).rows.map((row) => row['pid']);
}

describe('where', () => {
  it('keeps the records for which the expression is true, as search does', async () => {
    expect(await pids(whereCommand, 'local_port < 1024')).toEqual([1, 2, 4, 5, 6]);
    expect(await pids(whereCommand, 'local_port < 1024')).toEqual(await pids(searchCommand, 'local_port < 1024'));
  });

  it('matches networks with cidrmatch: IPv4, IPv6, IPv4-mapped IPv6, and address text', async () => {
    expect(await pids(whereCommand, 'cidrmatch("10.0.0.0/8", remote_ip)')).toEqual([1, 3, 5]);
    expect(await pids(whereCommand, 'cidrmatch("fd00::/8", remote_ip)')).toEqual([4]);
    expect(await pids(whereCommand, 'cidrmatch("::ffff:10.0.0.0/104", remote_ip)')).toEqual([1, 3, 5]);
    expect(await pids(whereCommand, 'not cidrmatch("10.0.0.0/8", remote_ip)')).toEqual([2, 4, 6]);
    expect(await pids(whereCommand, 'cidrmatch("0.0.0.0/0", remote_ip)')).toEqual([1, 2, 3, 5]);
  });

  it('matches an ipaddr field == a network string, and != its complement', async () => {
    expect(await pids(searchCommand, 'remote_ip == "10.0.0.0/8"')).toEqual([1, 3]);
    expect(await pids(searchCommand, '"10.0.0.0/8" == remote_ip')).toEqual([1, 3]);
    expect(await pids(searchCommand, 'remote_ip != "10.0.0.0/8"')).toEqual([2, 4, 5, 6]);
    expect(await pids(searchCommand, 'remote_ip == "10.1.2.3/32"')).toEqual([1]);
  });

  it('refuses an unknown function, a wrong arity and a malformed network when the query is parsed', () => {
    const unknown = parseErrorOf(whereCommand, ' cidr_match("10.0.0.0/8", remote_ip)');
    expect([unknown.code, unknown.offset]).toEqual([90003, 1]);
    expect(unknown.message).toContain('unknown function cidr_match() (the functions are: cidrmatch)');
    expect(parseErrorOf(whereCommand, ' cidrmatch(remote_ip)').message).toContain(
      'cidrmatch() takes 2 arguments: cidrmatch("CIDR", FIELD)',
    );
    for (const bad of ['"10.0.0.0"', '"10.0.0.0/33"', '"010.0.0.0/8"', '"fd00::/129"', '8']) {
      const error = parseErrorOf(whereCommand, ` cidrmatch(${bad}, remote_ip)`);
      expect([error.code, error.offset], bad).toEqual([90003, 11]);
      expect(error.message).toContain('is not a network such as "10.0.0.0/8"');
    }
  });

  it('counts the parentheses of a call as nesting, as it does (...)', () => {
    const nested = (levels: number): string => ` ${'f('.repeat(levels)}x${')'.repeat(levels)}`;
    expect(parseErrorOf(whereCommand, nested(101)).code).toBe(90004);
    expect(parseErrorOf(whereCommand, nested(100)).message).toContain('unknown function f()');
  });

  it('gives null for a network computed at run time that is not one', async () => {
    const rows = await driveCollected(whereCommand, ' cidrmatch(net, ip) == null', [{ net: 'nope', ip: ip('10.0.0.1') }]);
    expect(rows.rows).toHaveLength(1);
  });
});
