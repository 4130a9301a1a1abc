// stringifyWithoutRecursion, the channel's fallback for results JSON.stringify cannot take, and a serving channel
// relaying an answer nested 100,000 levels deep (a data node relaying a hostile sentry's answer).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringifyWithoutRecursion } from '../../src/rpc/json-text.js';
import { RpcChannel } from '../../src/rpc/rpc-channel.js';
import { FakePort } from './fake-port.js';

const DEPTH = 100_000;
const deepText = '['.repeat(DEPTH) + ']'.repeat(DEPTH);

describe('stringifyWithoutRecursion', () => {
  it('gives what JSON.stringify gives (property)', () => {
    const value = fc.oneof(
      fc.jsonValue(),
      fc.anything({ values: [fc.constant(undefined), fc.constant(Number.NaN), fc.constant(-0), fc.constant(() => 1), fc.date()] }),
    );
    fc.assert(
      fc.property(value, (v) => {
        expect(stringifyWithoutRecursion(v, 1e9)).toBe(JSON.stringify(v));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes a value nested 100,000 levels deep, which JSON.stringify cannot', () => {
    const deep = JSON.parse(deepText) as unknown;
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(stringifyWithoutRecursion(deep, 1e9)).toBe(deepText);
    expect(stringifyWithoutRecursion(JSON.parse(`{"a":${deepText}}`), 1e9)).toBe(`{"a":${deepText}}`);
  });

  it('stops at maxChars (a cyclic value cannot run away)', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => stringifyWithoutRecursion(cyclic, 1000)).toThrow(RangeError);
  });
});

describe('a serving channel', () => {
  it('answers a result nested 100,000 levels deep as it is, so the caller can refuse it', async () => {
    const port = new FakePort();
    const deep = JSON.parse(deepText) as unknown;
    const channel = new RpcChannel(port, { handlers: { netstat: () => deep } });
    channel.receive(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'netstat', params: {} }));
    await expect.poll(() => port.sent.length).toBe(1);
    expect(port.sent[0]).toBe(`{"jsonrpc":"2.0","id":1,"result":${deepText}}`);
  });

  it('answers a result that is not JSON data with an error, not an unhandled rejection', async () => {
    const port = new FakePort();
    const channel = new RpcChannel(port, { handlers: { big: () => ({ n: 1n }) } });
    channel.receive(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'big', params: {} }));
    await expect.poll(() => port.sent.length).toBe(1);
    expect(port.frames()[0]).toMatchObject({ id: 2, error: { message: 'the answer cannot be sent: it is not JSON data, or too large' } });
  });
});
