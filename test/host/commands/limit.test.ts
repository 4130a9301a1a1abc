import { describe, expect, it } from 'vitest';
import { limitCommand } from '../../../src/host/commands/limit.js';
import { NO_SENTRIES } from '../../../src/host/no-sentries.js';
import type { QueryCommand } from '../../../src/runtime/command.js';
import { hostConfigFrom } from '../../../src/runtime/session.js';
import type { Row } from '../../../src/runtime/value.js';
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

  it('drops records pushed after it has N (a host may still deliver those already in flight)', async () => {
    const command = limitCommand.parse(
      { session: { user: 'tester', isAdmin: true }, config: hostConfigFrom(), env: {} },
      ' 1',
    ) as QueryCommand;
    const rows: Row[] = [];
    let finishUpstreamCalls = 0;
    await command.onStart({
      emit: async (row) => void rows.push(row),
      signal: new AbortController().signal,
      sentries: NO_SENTRIES,
      session: { user: 'tester', isAdmin: true },
      config: hostConfigFrom(),
      finishUpstream: () => void finishUpstreamCalls++,
    });
    for (const row of input) await command.onPush(row);
    await command.onClose('end');
    expect(rows).toEqual([{ n: 1 }]);
    expect(finishUpstreamCalls).toBe(1);
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
