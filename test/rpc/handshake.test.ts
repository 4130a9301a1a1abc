import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { awaitGreeting, sendGreeting, sendWelcome } from '../../src/rpc/handshake.js';
import { FakePort } from './fake-port.js';

const greetingSchema = z.object({ type: z.literal('join'), token: z.string() });

let port: FakePort;
beforeEach(() => {
  vi.useFakeTimers();
  port = new FakePort();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('handshake, server side', () => {
  it('hands over a greeting that fits, once, and releases the deadline', () => {
    const frames: unknown[] = [];
    const handshake = awaitGreeting(port, greetingSchema, 1_000, { onFrame: (frame) => frames.push(frame) });
    handshake.receive(JSON.stringify({ type: 'join', token: 't' }));
    handshake.receive(JSON.stringify({ type: 'join', token: 'again' }));
    sendWelcome(port);
    expect(frames).toEqual([{ type: 'join', token: 't' }]);
    expect(port.frames()).toEqual([{ type: 'welcome' }]);
    expect(vi.getTimerCount()).toBe(0);
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
    handshake.receive(JSON.stringify({ type: 'join', token: 't' }));
    expect(port.closed).toEqual({ code: 1008, reason: 'handshake timeout' });
    expect(onTimeout).toHaveBeenCalledOnce();
    expect(onFrame).not.toHaveBeenCalled();
  });

  it('cancel() releases the deadline', () => {
    awaitGreeting(port, greetingSchema, 1_000, { onFrame: () => undefined }).cancel();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('handshake, client side', () => {
  it('sends the greeting and takes a welcome', () => {
    const onFrame = vi.fn();
    const handshake = sendGreeting(port, { type: 'join', token: 't' }, 1_000, { onFrame });
    expect(port.frames()).toEqual([{ type: 'join', token: 't' }]);
    handshake.receive('{"type":"welcome"}');
    expect(onFrame).toHaveBeenCalledWith({ type: 'welcome' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('anything but a welcome closes with 1007; no welcome in time closes with 1008', () => {
    sendGreeting(port, { type: 'hello' }, 1_000, { onFrame: () => undefined }).receive('{"jsonrpc":"2.0","id":1,"result":1}');
    expect(port.closed).toEqual({ code: 1007, reason: 'expected welcome' });
    const late = new FakePort();
    sendGreeting(late, { type: 'hello' }, 1_000, { onFrame: () => undefined });
    vi.advanceTimersByTime(1_000);
    expect(late.closed).toEqual({ code: 1008, reason: 'handshake timeout' });
    expect(vi.getTimerCount()).toBe(0);
  });
});
