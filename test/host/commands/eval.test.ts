import { describe, expect, it } from 'vitest';
import { IpAddress } from '../../../src/runtime/ip-address.js';
import type { Row, Value } from '../../../src/runtime/value.js';
import { evalCommand } from '../../../src/host/commands/eval.js';
import { driveCollected, parseErrorOf } from '../../helpers/drive-collected.js';

async function evalOf(expr: string, row: Row = {}): Promise<Value | undefined> {
  const { rows } = await driveCollected(evalCommand, ` out = ${expr}`, [row]);
  return rows[0]?.['out'];
}

describe('eval', () => {
  it('adds a field and overwrites an existing one in place', async () => {
    const { rows } = await driveCollected(evalCommand, ' a = a * 10', [{ a: 2, b: 'x' }]);
    expect(rows).toEqual([{ a: 20, b: 'x' }]);
    expect(Object.keys(rows[0] ?? {})).toEqual(['a', 'b']);
  });

  it('does arithmetic with the usual precedence, above comparisons', async () => {
    expect(await evalOf('1 + 2 * 3')).toBe(7);
    expect(await evalOf('(1 + 2) * 3')).toBe(9);
    expect(await evalOf('7 / 2')).toBe(3.5);
    expect(await evalOf('7 % 4 - -1')).toBe(4);
    expect(await evalOf('- n', { n: 5 })).toBe(-5);
    expect(await evalOf('n * 2 > 5', { n: 3 })).toBe(true);
  });

  it('stays exact with bigints', async () => {
    expect(await evalOf('n + 1', { n: 2n ** 60n })).toBe(2n ** 60n + 1n);
    expect(await evalOf('n - 1', { n: 9007199254740993n })).toBe(9007199254740992n);
    expect(await evalOf('n - n', { n: 2n ** 60n })).toBe(0);
  });

  it('concatenates strings with + and gives null for other mixes and division by zero', async () => {
    expect(await evalOf('a + "-" + b', { a: 'web', b: '01' })).toBe('web-01');
    expect(await evalOf('"port " + 80')).toBeNull();
    expect(await evalOf('ip + 1', { ip: IpAddress.parse('10.0.0.1') })).toBeNull();
    expect(await evalOf('missing * 2')).toBeNull();
    expect(await evalOf('1 / 0')).toBeNull();
    expect(await evalOf('1 % 0')).toBeNull();
  });

  it('yields booleans from comparisons and logic, null from logic over non-booleans', async () => {
    expect(await evalOf('a == "x" and not b', { a: 'x', b: false })).toBe(true);
    expect(await evalOf('not a', { a: 'x' })).toBeNull();
    expect(await evalOf('false and a', { a: 'x' })).toBe(false);
    expect(await evalOf('true or a', { a: 'x' })).toBe(true);
    expect(await evalOf('true and a', { a: 'x' })).toBeNull();
  });

  it.each([
    [' a == 1', 3, 'expected = to assign, not =='],
    [' = 1', 1, 'expected field name but "=" found'],
    [' a =', 4, 'expected "(", "-", "\\"", "false", "not", "null", "true", field name, or number but end of input found'],
  ])('refuses %j with 90003 at offset %i', (argText, offset, detail) => {
    const error = parseErrorOf(evalCommand, argText);
    expect(error.code).toBe(90003);
    expect(error.offset).toBe(offset);
    expect(error.message).toBe(`Invalid arguments for 'eval' at offset ${offset}: ${detail}.`);
  });
});
