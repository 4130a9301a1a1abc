import { describe, expect, it } from 'vitest';
import { QueryParseError, hostConfigFrom, resolveSentryRpcParallel, sentryNetstatCommand } from '../../src/index.js';

const KEY = 'logpresso.core.sentry_rpc_parallel';

describe('logpresso.core.sentry_rpc_parallel', () => {
  it('defaults to 100', () => {
    expect(resolveSentryRpcParallel(hostConfigFrom(), {})).toBe(100);
  });

  it('reads the host config first, then the environment variable of that exact name', () => {
    expect(resolveSentryRpcParallel(hostConfigFrom({ [KEY]: 7 }), { [KEY]: '9' })).toBe(7);
    expect(resolveSentryRpcParallel(hostConfigFrom({ [KEY]: '8' }), {})).toBe(8);
    expect(resolveSentryRpcParallel(hostConfigFrom(), { [KEY]: '9' })).toBe(9);
    expect(resolveSentryRpcParallel(hostConfigFrom(), { SENTRY_RPC_PARALLEL: '9' })).toBe(100);
  });

  it.each([0, -1, 1.5, 'abc', '', '10x', true, 2_000_000])('refuses %j at parse time with 23104', (value) => {
    const parse = () =>
      sentryNetstatCommand.parse({ session: { user: 'admin', isAdmin: true }, config: hostConfigFrom({ [KEY]: value }), env: {} }, '');
    expect(parse).toThrow(QueryParseError);
    expect(parse).toThrow(/Invalid logpresso\.core\.sentry_rpc_parallel value .* \(from host config\)/);
  });

  it('says when the bad value came from the environment', () => {
    expect(() => resolveSentryRpcParallel(hostConfigFrom(), { [KEY]: 'many' })).toThrow(
      "Invalid logpresso.core.sentry_rpc_parallel value 'many' (from environment). Use an integer from 1 to 1000000.",
    );
  });
});
