import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { awaitGreeting, sendGreeting, sendWelcome } from '../../src/rpc/handshake.js';
import { FakePort } from './fake-port.js';

const greetingSchema = z.object({ type: z.literal('hello'), guid: z.string() });

let port: FakePort;
beforeEach(() => {
  vi.useFakeTimers();
  port = new FakePort();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('handshake, server side', () => {
  it('opens with a challenge, hands over a greeting that fits with its nonce, once, and releases the deadline', () => {
    const frames: unknown[] = [];
    const handshake = awaitGreeting(port, greetingSchema, 1_000, { onFrame: (frame, nonce) => frames.push(frame, nonce) });
    const [challenge] = port.frames();
    expect(challenge).toEqual({ type: 'challenge', nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    handshake.receive(JSON.stringify({ type: 'hello', guid: 'g' }));
    handshake.receive(JSON.stringify({ type: 'hello', guid: 'again' }));
    sendWelcome(port);
    expect(frames).toEqual([{ type: 'hello', guid: 'g' }, challenge!['nonce']]);
    expect(port.frames().slice(1)).toEqual([{ type: 'welcome' }]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a fresh nonce on every connection', () => {
    const nonces = new Set(
      Array.from({ length: 100 }, () => {
        const p = new FakePort();
        awaitGreeting(p, greetingSchema, 1_000, { onFrame: () => undefined }).cancel();
        return p.frames()[0]!['nonce'];
      }),
    );
    expect(nonces.size).toBe(100);
  });

  it('closes with 1007 on a greeting that does not fit', () => {
    const malformed: string[] = [];
    const handshake = awaitGreeting(port, greetingSchema, 1_000, { onFrame: () => undefined, onMalformed: (d) => malformed.push(d) });
    handshake.receive('{"type":"hello"}');
    expect(port.closed).toEqual({ code: 1007, reason: 'malformed frame' });
    expect(malformed).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('closes with 1008 at the deadline; a greeting after it is ignored', () => {
    const onFrame = vi.fn();
    const onTimeout = vi.fn();
    const handshake = awaitGreeting(port, greetingSchema, 1_000, { onFrame, onTimeout });
    vi.advanceTimersByTime(1_000);
    handshake.receive(JSON.stringify({ type: 'hello', guid: 'g' }));
    expect(port.closed).toEqual({ code: 1008, reason: 'handshake timeout' });
    expect(onTimeout).toHaveBeenCalledOnce();
    expect(onFrame).not.toHaveBeenCalled();
  });

  it('cancel() releases the deadline', () => {
    awaitGreeting(port, greetingSchema, 1_000, { onFrame: () => undefined }).cancel();
    expect(vi.getTimerCount()).toBe(0);
  });
});

const NONCE = 'n'.repeat(43);
const CHALLENGE = JSON.stringify({ type: 'challenge', nonce: NONCE });

describe('handshake, client side', () => {
  it('waits for the challenge, sends the greeting made for its nonce, and takes a welcome', () => {
    const onFrame = vi.fn();
    const handshake = sendGreeting(port, (nonce) => ({ type: 'hello', proof: `for ${nonce}` }), 1_000, { onFrame });
    expect(port.sent).toEqual([]);
    handshake.receive(CHALLENGE);
    expect(port.frames()).toEqual([{ type: 'hello', proof: `for ${NONCE}` }]);
    handshake.receive('{"type":"welcome"}');
    expect(onFrame).toHaveBeenCalledWith({ type: 'welcome' }, NONCE);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('anything but a challenge first, or a welcome then, closes with 1007', () => {
    sendGreeting(port, () => ({ type: 'hello' }), 1_000, { onFrame: () => undefined }).receive('{"type":"welcome"}');
    expect(port.closed).toEqual({ code: 1007, reason: 'expected challenge' });
    const second = new FakePort();
    const handshake = sendGreeting(second, () => ({ type: 'hello' }), 1_000, { onFrame: () => undefined });
    handshake.receive(CHALLENGE);
    handshake.receive('{"jsonrpc":"2.0","id":1,"result":1}');
    expect(second.closed).toEqual({ code: 1007, reason: 'expected welcome' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('one deadline for the whole handshake: no welcome in time closes with 1008', () => {
    const handshake = sendGreeting(port, () => ({ type: 'hello' }), 1_000, { onFrame: () => undefined });
    vi.advanceTimersByTime(600);
    handshake.receive(CHALLENGE);
    vi.advanceTimersByTime(400);
    expect(port.closed).toEqual({ code: 1008, reason: 'handshake timeout' });
    expect(vi.getTimerCount()).toBe(0);
  });
});
