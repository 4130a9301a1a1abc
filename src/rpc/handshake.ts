/**
 * The handshake before JSON-RPC, both sides, as a challenge–response (challenge.ts): the server opens with a
 * challenge (a fresh nonce); the client answers with its greeting (a sentry's hello), which carries a proof of its
 * secret over that nonce, and waits for a welcome; the server, once its owner has checked the proof, welcomes.
 * The secret itself never travels. Either side gives up at one deadline for the whole handshake. A frame that
 * does not fit closes the port with 1007; a missed deadline with 1008.
 *
 * @module
 */
import type { z } from 'zod';
import { challengeFrameSchema, challengeText, newNonce } from './challenge.js';
import { CLOSE_CODES } from './close-codes.js';
import type { FramePort } from './frame-port.js';
import { readFrame } from './read-frame.js';
import { WELCOME_TEXT, welcomeFrameSchema, type WelcomeFrame } from './welcome-frame.js';

/** What the handshake tells its owner; only one of them, once. */
export interface HandshakeEvents<T> {
  /**
   * The awaited frame fits: on the server, the greeting and the nonce it must prove (check it, then
   * {@link sendWelcome} or refuse it); on the client, the welcome.
   */
  readonly onFrame: (frame: T, nonce: string) => void;
  /** A frame did not fit; the port is already closing (1007). */
  readonly onMalformed?: (detail: string) => void;
  /** The handshake did not finish by the deadline; the port is already closing (1008 `handshake timeout`). */
  readonly onTimeout?: () => void;
}

/** A handshake in progress. */
export interface Handshake {
  /** Feeds a frame that arrived before the channel took over; frames after the handshake's last are ignored. */
  receive(text: string): void;
  /** Stops waiting (the transport closed): releases the deadline timer. Idempotent. */
  cancel(): void;
}

/**
 * Server side: sends a challenge with a fresh nonce (single use: one per connection), then waits up to
 * `deadlineMs` for a greeting that fits `schema`. The owner checks the greeting's proof against the nonce in
 * `onFrame`, then calls {@link sendWelcome} or closes the port (1008).
 */
export function awaitGreeting<T>(port: FramePort, schema: z.ZodType<T>, deadlineMs: number, events: HandshakeEvents<T>): Handshake {
  const nonce = newNonce();
  const handshake = steps(port, deadlineMs, events, [step(schema, 'malformed frame', (frame) => events.onFrame(frame, nonce))]);
  try {
    port.send(challengeText(nonce));
  } catch {
    handshake.cancel(); // closed before the challenge could go: the owner sees the close
  }
  return handshake;
}

/**
 * Client side: waits for the server's challenge, sends `greeting(nonce)` (which proves the secret over that
 * nonce), then waits for the welcome; all within `deadlineMs`.
 */
export function sendGreeting(
  port: FramePort,
  greeting: (nonce: string) => object,
  deadlineMs: number,
  events: HandshakeEvents<WelcomeFrame>,
): Handshake {
  let nonce = '';
  const handshake: Handshake = steps(port, deadlineMs, events, [
    step(challengeFrameSchema, 'expected challenge', (challenge) => {
      nonce = challenge.nonce;
      try {
        port.send(JSON.stringify(greeting(nonce)));
      } catch {
        handshake.cancel(); // closed before the greeting could go: the owner sees the close
      }
    }),
    step(welcomeFrameSchema, 'expected welcome', (welcome) => events.onFrame(welcome, nonce)),
  ]);
  return handshake;
}

/**
 * Accepts a greeting. Never throws: on a port that closed meanwhile the welcome is dropped (the owner sees the
 * close), so it cannot escape the transport's message handler.
 */
export function sendWelcome(port: FramePort): void {
  try {
    port.send(WELCOME_TEXT);
  } catch {
    // closed: nothing to welcome
  }
}

/** One awaited frame of a handshake: reads it, and says why it was refused if it does not fit. */
type Step = (text: string) => { ok: true } | { ok: false; malformedReason: string; error: string };

function step<F>(schema: z.ZodType<F>, malformedReason: string, onFrame: (frame: F) => void): Step {
  return (text) => {
    const read = readFrame(schema, text);
    if (!read.ok) return { ok: false, malformedReason, error: read.error };
    onFrame(read.frame);
    return { ok: true };
  };
}

/** Awaits `list`'s frames in order under one deadline. */
function steps<T>(port: FramePort, deadlineMs: number, events: HandshakeEvents<T>, list: readonly Step[]): Handshake {
  let settled = false;
  let next = 0;
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
      const current = list[next++]!;
      if (next === list.length) cancel();
      const read = current(text);
      if (read.ok) return;
      cancel();
      port.close(CLOSE_CODES.malformedFrame, read.malformedReason);
      events.onMalformed?.(read.error);
    },
  };
}
