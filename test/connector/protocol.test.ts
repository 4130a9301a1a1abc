import { describe, expect, it } from 'vitest';
import { helloFrameSchema } from '../../src/connector/protocol.js';
import { readFrame } from '../../src/rpc/read-frame.js';
import { rpcRequestSchema, rpcResponseSchema } from '../../src/rpc/rpc-frames.js';

const frame = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('protocol frames', () => {
  it('reads a hello, with optional hostname and os', () => {
    const proof = 'p'.repeat(43);
    expect(readFrame(helloFrameSchema, frame({ type: 'hello', guid: 'g', proof, hostname: 'h' }))).toEqual({
      ok: true,
      frame: { type: 'hello', guid: 'g', proof, hostname: 'h' },
    });
    // A key sent in the clear (the old hello) is not a proof.
    expect(readFrame(helloFrameSchema, frame({ type: 'hello', guid: 'g', key: 'k'.repeat(16) })).ok).toBe(false);
  });

  it('refuses non-JSON and says where a frame breaks the schema', () => {
    expect(readFrame(helloFrameSchema, frame('{nope'))).toEqual({ ok: false, error: 'frame is not JSON' });
    const bad = readFrame(helloFrameSchema, frame({ type: 'hello', guid: '', proof: 'p'.repeat(43) }));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^frame breaks the protocol: guid: /);
  });

  it('reads JSON-RPC responses (result or error) and refuses anything else', () => {
    expect(readFrame(rpcResponseSchema, frame({ jsonrpc: '2.0', id: 1, result: null })).ok).toBe(true);
    expect(readFrame(rpcResponseSchema, frame({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'x' } })).ok).toBe(true);
    for (const wrong of [
      { jsonrpc: '2.0', id: 1 },
      { jsonrpc: '2.0', id: 1, error: { code: 'x', message: 'x' } },
      [{ jsonrpc: '2.0', id: 1, result: 1 }],
      { jsonrpc: '2.0', id: {}, result: 1 },
      'a string',
    ])
      expect(readFrame(rpcResponseSchema, frame(JSON.stringify(wrong))).ok, JSON.stringify(wrong)).toBe(false);
  });

  it('reads JSON-RPC requests, with named or positional params', () => {
    expect(readFrame(rpcRequestSchema, frame({ jsonrpc: '2.0', id: 3, method: 'netstat', params: {} })).ok).toBe(true);
    expect(readFrame(rpcRequestSchema, frame({ jsonrpc: '2.0', id: 3, method: 'netstat', params: 5 })).ok).toBe(false);
  });
});
