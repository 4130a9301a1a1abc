import { describe, expect, it } from 'vitest';
import type { Row } from '../../../src/runtime/value.js';
import { fieldsCommand } from '../../../src/host/commands/fields.js';
import { driveCollected, parseErrorOf } from '../../helpers/drive-collected.js';

const input: Row[] = [{ guid: 's-1', os: 'linux', hostname: 'web-01' }, { guid: 's-2' }];

describe('fields', () => {
  it('keeps the listed fields in list order; absent fields stay absent', async () => {
    const { rows } = await driveCollected(fieldsCommand, ' hostname, guid', input);
    expect(rows).toEqual([{ hostname: 'web-01', guid: 's-1' }, { guid: 's-2' }]);
    expect(Object.keys(rows[0] ?? {})).toEqual(['hostname', 'guid']);
  });

  it('drops the listed fields with -', async () => {
    const { rows } = await driveCollected(fieldsCommand, ' - os,hostname', input);
    expect(rows).toEqual([{ guid: 's-1' }, { guid: 's-2' }]);
  });

  it('takes dotted names and does not read inherited properties', async () => {
    const { rows } = await driveCollected(fieldsCommand, ' a.b, constructor', [{ 'a.b': 1 }]);
    expect(rows).toEqual([{ 'a.b': 1 }]);
  });

  it.each([
    ['', 0, 'expected "-" or field name but end of input found'],
    [' -', 2, 'expected field name but end of input found'],
    [' guid,', 6, 'expected field name but end of input found'],
    [' 1abc', 1, 'expected "-" or field name but "1" found'],
  ])('refuses %j with 90003 at offset %i', (argText, offset, detail) => {
    const error = parseErrorOf(fieldsCommand, argText);
    expect(error.code).toBe(90003);
    expect(error.offset).toBe(offset);
    expect(error.message).toBe(`Invalid arguments for 'fields' at offset ${offset}: ${detail}.`);
  });
});
