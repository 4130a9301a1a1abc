import { describe, expect, it } from 'vitest';
import type { CommandContext, CommandParser, QueryCommand, QueryDriver, StopReason } from '../../src/index.js';
import { QueryParseError } from '../../src/index.js';
import { MockHost } from '../../sdk-mock/index.js';
import { parsePipeline } from '../../src/host/index.js';

const driverHelp = (commandType: 'driver' | 'transforming'): CommandParser['help'] => ({
  description: '',
  syntax: '',
  options: [],
  inputFields: [],
  outputFields: [],
  runtimeErrors: [],
  properties: { commandType, requiredPermission: 'none', licenseUsage: 'N/A', parallelExecution: false, distributedExecution: false },
});

/** Records every lifecycle call, so tests can see each command closed exactly once. */
function probes(log: string[]): CommandParser[] {
  const count: CommandParser = {
    name: 'count-to',
    errors: [],
    help: driverHelp('driver'),
    parse: (_ctx, args): QueryDriver => {
      let ctx!: CommandContext;
      return {
        onStart: (c) => {
          ctx = c;
          log.push('count-to:start');
        },
        run: async () => {
          for (let i = 1; i <= Number(args.trim()) && !ctx.signal.aborted; i++) await ctx.emit({ n: i });
        },
        onClose: (reason: StopReason) => void log.push(`count-to:close:${reason}`),
      };
    },
  };
  const explode: CommandParser = {
    name: 'explode-at',
    errors: [],
    help: driverHelp('transforming'),
    parse: (_ctx, args): QueryCommand => {
      let ctx!: CommandContext;
      return {
        onStart: (c) => {
          ctx = c;
        },
        onPush: async (row) => {
          if (row['n'] === Number(args.trim())) throw new Error(`boom at ${String(row['n'])}`);
          await ctx.emit(row);
        },
        onClose: (reason) => void log.push(`explode-at:close:${reason}`),
      };
    },
  };
  return [count, explode];
}

function parseErrorOf(host: MockHost, query: string): QueryParseError {
  try {
    host.start(query);
  } catch (error) {
    if (error instanceof QueryParseError) return error;
    throw error;
  }
  throw new Error('no parse error');
}

describe('the sdk-mock pipeline', () => {
  it('splits on | but not inside quotes, with offsets', () => {
    expect(parsePipeline('json "{\\"a\\": \\"x|y\\"}" | fields a')).toEqual([
      { name: 'json', nameOffset: 0, args: ' "{\\"a\\": \\"x|y\\"}" ', argsOffset: 4 },
      { name: 'fields', nameOffset: 26, args: ' a', argsOffset: 32 },
    ]);
  });

  it.each([
    ['', 0, 'the query is empty'],
    ['   ', 3, 'the query is empty'],
    ['sentry |', 8, 'a command name is missing at the end'],
    ['sentry || fields a', 8, 'a command name is missing before |'],
  ])('refuses %j with 90000 at offset %i', (query, offset, detail) => {
    const error = parseErrorOf(new MockHost({ env: {} }), query);
    expect(error.code).toBe(90000);
    expect(error.offset).toBe(offset);
    expect(error.message).toBe(`Query syntax error at offset ${offset}: ${detail}.`);
  });

  it('names an unknown command and where it is (90001)', () => {
    const error = parseErrorOf(new MockHost({ env: {} }), 'sentry | fields guid | sentry-netstats');
    expect(error.message).toBe("Unknown command 'sentry-netstats' at offset 23. Did you mean 'sentry-netstat'?");
  });

  it('suggests the closest known commands for a typo, and none for a name that is nothing like one (90001)', () => {
    const host = new MockHost({ env: {} });
    expect(parseErrorOf(host, 'sentry | sentry-netsat').message).toBe(
      "Unknown command 'sentry-netsat' at offset 9. Did you mean 'sentry-netstat'?",
    );
    expect(parseErrorOf(host, 'sentry | sonar-sentry-netsta').message).toBe(
      "Unknown command 'sonar-sentry-netsta' at offset 9. Did you mean 'sonar-sentry-netstat'?",
    );
    expect(parseErrorOf(host, 'sentry | fileds guid').message).toBe("Unknown command 'fileds' at offset 9. Did you mean 'fields'?");
    expect(parseErrorOf(host, 'sentry | frobnicate').message).toBe("Unknown command 'frobnicate' at offset 9.");
  });

  it('puts drivers first and only first (90002)', () => {
    const host = new MockHost({ env: {} });
    expect(parseErrorOf(host, 'sentry | sentry').message).toBe("Command 'sentry' at offset 9 must be the first command of a query.");
    expect(parseErrorOf(host, 'fields guid').code).toBe(90002);
  });
});

describe('the sdk-mock engine', () => {
  it('fails the query when a command throws, closes every command once, and stays usable', async () => {
    const log: string[] = [];
    const host = new MockHost({ env: {}, commands: probes(log) });
    await expect(host.query('count-to 10 | explode-at 3')).rejects.toThrow('boom at 3');
    expect(log).toEqual(['count-to:start', 'count-to:close:cancel', 'explode-at:close:cancel']);
    log.length = 0;
    expect(await host.query('count-to 3 | explode-at 99')).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(log).toEqual(['count-to:start', 'count-to:close:end', 'explode-at:close:end']);
  });

  it('fails the query when the output sink throws, without crashing', async () => {
    const host = new MockHost({ env: {}, commands: probes([]) });
    const sink = (): void => {
      throw new Error('stdout closed');
    };
    await expect(host.query('count-to 5', { onRecord: sink })).rejects.toThrow('stdout closed');
  });

  it('closes commands above a limit with "limit" and the rest with "end"', async () => {
    const log: string[] = [];
    const host = new MockHost({ env: {}, commands: probes(log) });
    expect(await host.query('count-to 1000 | explode-at 0 | limit 2')).toEqual([{ n: 1 }, { n: 2 }]);
    expect(log).toEqual(['count-to:start', 'count-to:close:limit', 'explode-at:close:limit']);
  });
});
