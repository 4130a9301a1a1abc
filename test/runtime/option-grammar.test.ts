import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_ERROR_CODES, ERRORS, QueryParseError, hostConfigFrom, sentryNetstatCommand, type ParseContext } from '../../src/index.js';

const admin: ParseContext = { session: { user: 'admin', isAdmin: true }, config: hostConfigFrom(), env: {} };
const bob: ParseContext = { session: { user: 'bob', isAdmin: false }, config: hostConfigFrom(), env: {} };

function parseError(ctx: ParseContext, args: string): QueryParseError {
  try {
    sentryNetstatCommand.parse(ctx, args);
  } catch (error) {
    if (error instanceof QueryParseError) return error;
    throw error;
  }
  throw new Error(`parsed without error: ${JSON.stringify(args)}`);
}

function timeoutMs(args: string): number {
  const command = sentryNetstatCommand.parse(admin, args) as unknown as { settings: { timeoutMs: number } };
  return command.settings.timeoutMs;
}

describe('sentry-netstat options', () => {
  it('defaults the timeout to 30 seconds', () => {
    expect(timeoutMs('')).toBe(30_000);
    expect(timeoutMs('   ')).toBe(30_000);
  });

  it.each([
    ['timeout=1', 1_000],
    ['timeout=60', 60_000],
    ['timeout=600', 600_000],
    ['  timeout=60  ', 60_000],
    ['timeout="60"', 60_000],
    ['timeout=00000000060', 60_000],
  ])('accepts %s', (args, ms) => expect(timeoutMs(` ${args}`)).toBe(ms));

  it.each(['0', '601', '-1', '1.5', 'abc', '1e2', '', '30s', '+5', '""', '99999999999'])('rejects timeout=%s with 23101', (value) => {
    const error = parseError(admin, ` timeout=${value}`);
    expect(error.code).toBe(23101);
    expect(error.message).toBe(
      `Invalid sentry RPC timeout option value. Use a value between 1 and 600. Got ${JSON.stringify(value.replace(/^"(.*)"$/, '$1'))}.`,
    );
    expect(error.offset).toBe(9);
  });

  it("23101 keeps the reference page's message as it is and echoes the value after it, cut when long", () => {
    const reference = 'Invalid sentry RPC timeout option value. Use a value between 1 and 600.';
    expect(parseError(admin, ' timeout=0').message).toBe(`${reference} Got "0".`);
    expect(parseError(admin, ' timeout="a \\"b\\""').message).toBe(`${reference} Got "a \\"b\\"".`);
    expect(parseError(admin, ` timeout=${'9'.repeat(100)}`).message).toBe(`${reference} Got "${'9'.repeat(40)}…".`);
  });

  it('checks permission first: a non-administrator gets 23100 whatever the options', () => {
    for (const args of ['', ' timeout=60', ' timeout=0', ' bogus=1', ' %%%']) {
      const error = parseError(bob, args);
      expect(error.code).toBe(23100);
      expect(error.message).toBe('No permission to call sentry RPC.');
    }
  });

  it('names an unknown option and its offset (23102)', () => {
    const error = parseError(admin, ' timeout=5 timout=6');
    expect(error.code).toBe(23102);
    expect(error.offset).toBe(11);
    expect(error.message).toBe("Unknown option 'timout' at offset 11. Did you mean 'timeout'? The options are: timeout, detail.");
  });

  it('23102 names the options, and the closest only when it is close enough to be a typo', () => {
    expect(parseError(admin, ' tiemout=5').message).toBe(
      "Unknown option 'tiemout' at offset 1. Did you mean 'timeout'? The options are: timeout, detail.",
    );
    expect(parseError(admin, ' parallel=5').message).toBe("Unknown option 'parallel' at offset 1. The options are: timeout, detail.");
  });

  it('refuses a repeated option (23103) even when both values are valid', () => {
    const error = parseError(admin, ' timeout=5 timeout=6');
    expect(error.code).toBe(23103);
    expect(error.message).toBe("Option 'timeout' is given more than once (again at offset 11).");
  });

  it('refuses text that is not name=value (23105)', () => {
    expect(parseError(admin, ' 60')).toMatchObject({ code: 23105, offset: 1 });
    expect(parseError(admin, ' timeout = 60')).toMatchObject({ code: 23105, offset: 8 });
    expect(parseError(admin, ' timeout="60')).toMatchObject({ code: 23105 });
  });

  it('rebases offsets onto the whole query', () => {
    const error = parseError(admin, ' nope=1').rebase(30);
    expect(error.offset).toBe(31);
    expect(error.message).toBe("Unknown option 'nope' at offset 31. The options are: timeout, detail.");
  });

  it('turns any input into a command or a catalogued error, never a crash (property)', () => {
    const codes = new Set(sentryNetstatCommand.errors.map((e) => e.code));
    const catalogue = new Set(ALL_ERROR_CODES.map((e) => e.code));
    const pieces = fc.constantFrom('timeout', '=', ' ', '"', '\\', '60', '0', '-', '.', 'x', '\t', '|', 'é', '600', '601');
    const text = fc.oneof(
      fc.string(),
      fc.array(pieces, { maxLength: 12 }).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(text, fc.boolean(), (args, isAdmin) => {
        const ctx = isAdmin ? admin : bob;
        try {
          sentryNetstatCommand.parse(ctx, args);
          return isAdmin;
        } catch (error) {
          if (!(error instanceof QueryParseError)) return false;
          if (!isAdmin) return error.code === ERRORS.NO_SENTRY_RPC_PERMISSION.code;
          return codes.has(error.code) && catalogue.has(error.code) && error.offset >= 0 && error.offset <= args.length;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
