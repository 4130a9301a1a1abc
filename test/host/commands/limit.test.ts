import { describe, expect, it } from 'vitest';
import { limitCommand } from '../../../src/host/commands/limit.js';
import { driveCollected, parseErrorOf } from '../../helpers/drive-collected.js';

const input = [1, 2, 3, 4, 5].map((n) => ({ n }));

describe('limit', () => {
  it('passes the first N and then stops upstream once', async () => {
    const result = await driveCollected(limitCommand, ' 2', input);
    expect(result.rows).toEqual([{ n: 1 }, { n: 2 }]);
    expect(result.finishUpstreamCalls).toBe(1);
    expect(result.pushed).toBe(2);
  });

  it('stops upstream at start for limit 0', async () => {
    const result = await driveCollected(limitCommand, ' 0', input);
    expect(result).toEqual({ rows: [], finishUpstreamCalls: 1, pushed: 0 });
  });

  it('passes everything when the input is shorter, without stopping upstream', async () => {
    const result = await driveCollected(limitCommand, ' 10', input);
    expect(result.rows).toHaveLength(5);
    expect(result.finishUpstreamCalls).toBe(0);
  });

  it('drops records pushed after it has N', async () => {
    const result = await driveCollected(limitCommand, ' 1', input, { pushAfterFinish: true });
    expect(result).toEqual({ rows: [{ n: 1 }], finishUpstreamCalls: 1, pushed: 5 });
  });

  it.each([
    ['', 0, 'expected integer but end of input found'],
    [' -1', 1, 'expected integer but "-" found'],
    [' 1.5', 1, 'expected integer but "1" found'],
    [' 2 3', 3, 'expected end of input but "3" found'],
    [' 99999999999999999999', 1, 'integer is too large'],
  ])('refuses %j with 90003 at offset %i', (argText, offset, detail) => {
    const error = parseErrorOf(limitCommand, argText);
    expect(error.code).toBe(90003);
    expect(error.offset).toBe(offset);
    expect(error.message).toBe(`Invalid arguments for 'limit' at offset ${offset}: ${detail}.`);
  });
});
