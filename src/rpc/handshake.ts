/**
 * The handshake before JSON-RPC, both sides: the client sends its greeting (hello or join) and waits for a
 * welcome; the server waits for a greeting and, once its owner accepts it, welcomes. Either side gives up at a
 * deadline. A frame that does not fit closes the port with 1007; a missed deadline with 1008.
 *
 * @module
 */
import type { z } from 'zod';
import { CLOSE_CODES } from './close-codes.js';
import type { FramePort } from './frame-port.js';
import { readFrame } from './read-frame.js';
import { WELCOME_TEXT, welcomeFrameSchema, type WelcomeFrame } from './welcome-frame.js';

/** What the handshake tells its owner; only one of them, once. */
export interface HandshakeEvents<T> {
  /** The first frame fits: the greeting (server side; accept it with {@link sendWelcome} or refuse it) or the welcome. */
  readonly onFrame: (frame: T) => void;
  /** The first frame did not fit; the port is already closing (1007). */
  readonly onMalformed?: (detail: string) => void;
  /** Nothing came by the deadline; the port is already closing (1008 `handshake timeout`). */
  readonly onTimeout?: () => void;
}

/** A handshake in progress. */
export interface Handshake {
  /** Feeds a frame that arrived before the channel took over; frames after the first are ignored. */
  receive(text: string): void;
  /** Stops waiting (the transport closed): releases the deadline timer. Idempotent. */
  cancel(): void;
}

/**
 * Server side: waits up to `deadlineMs` for a greeting that fits `schema`. The owner checks it (a key, a
 * token) in `onFrame`, then calls {@link sendWelcome} or closes the port (1008).
 */
export function awaitGreeting<T>(port: FramePort, schema: z.ZodType<T>, deadlineMs: number, events: HandshakeEvents<T>): Handshake {
  return firstFrame(port, schema, deadlineMs, 'malformed frame', events);
}

/** Client side: sends `greeting` and waits up to `deadlineMs` for the welcome. */
export function sendGreeting(port: FramePort, greeting: object, deadlineMs: number, events: HandshakeEvents<WelcomeFrame>): Handshake {
  const handshake = firstFrame(port, welcomeFrameSchema, deadlineMs, 'expected welcome', events);
  try {
    port.send(JSON.stringify(greeting));
  } catch {
    handshake.cancel(); // closed before the greeting could go: the owner sees the close
  }
  return handshake;
}

/** Accepts a greeting. */
export function sendWelcome(port: FramePort): void {
  port.send(WELCOME_TEXT);
}

function firstFrame<T>(
  port: FramePort,
  schema: z.ZodType<T>,
  deadlineMs: number,
  malformedReason: string,
  events: HandshakeEvents<T>,
): Handshake {
  let settled = false;
  const deadline = setTimeout(() => {
    settled = true;
    port.close(CLOSE_CODES.policy, 'handshake timeout');
    events.onTimeout?.();
  }, deadlineMs);
  const cancel = (): void => {
    settled = true;
    clearTimeout(deadline);
  };
  return {
    cancel,
    receive(text) {
      if (settled) return;
      cancel();
      const read = readFrame(schema, text);
      if (read.ok) {
        events.onFrame(read.frame);
        return;
      }
      port.close(CLOSE_CODES.malformedFrame, malformedReason);
      events.onMalformed?.(read.error);
    },
  };
}
