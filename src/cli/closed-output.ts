/**
 * Notices that the reader of stdout went away (`sentry-query … | head -1`) while nothing is being written.
 *
 * A process learns that its pipe has no reader only when it writes (EPIPE), and while a slow sentry is awaited
 * the CLI writes nothing, so it would wait for the query's timeout. On Linux the write end of a pipe whose
 * reader is gone polls as an error (POLLERR); that is what coreutils' `tail -f` checks. Node has no poll for
 * an arbitrary fd, and libuv refuses to read on a write-only pipe (`ENOTCONN`: tried, with `readStart` and a
 * `net.Socket` on fd 1), but Node's WASI (uvwasi) implements `poll_oneoff` with libuv's own poll, which reports
 * POLLERR as an error on the fd. So a tiny WebAssembly module (below, 150 bytes, hand-assembled: no library
 * does this) polls fd 1 for writing, with a 1 ms clock beside it so that a full pipe to a slow reader never
 * blocks. Hand-written because no npm package exposes poll(2) without a native build.
 *
 * Only pipes on Linux are watched: elsewhere (a terminal, a file, another system) the probe does nothing, and a
 * closed reader is noticed at the next write as before.
 *
 * @module
 */
import { fstatSync } from 'node:fs';
import type * as WasiModule from 'node:wasi';
import { OUTPUT_CLOSED_PROBE_MS } from '../rpc/limits.js';

/** Subscriptions at 0 (2 × 48 bytes), events at 128 (2 × 32), the event count at 256 (WASI preview1 layout). */
const SUBSCRIPTIONS = 0;
const EVENTS = 128;
const SUBSCRIPTION_SIZE = 48;
const EVENT_SIZE = 32;
const FD_EVENT = 1n;
/**
 * The clock beside the fd: 1 ms. Not 0: uvwasi runs due timers before it polls, so a clock of 0 would end every
 * probe before the fd is looked at. A pipe that is writable or broken answers at once; only a full pipe to a
 * live, slow reader waits this long.
 */
const CLOCK_TIMEOUT_NS = 1_000_000n;

/**
 * `(module (import "wasi_snapshot_preview1" "poll_oneoff" (func (param i32 i32 i32 i32) (result i32)))
 *  (memory (export "memory") 1) (func (export "probe") (result i32) (call 0 (i32.const 0) (i32.const 128)
 *  (i32.const 2) (i32.const 256))))`
 */
function probeModuleBytes(): Uint8Array {
  const name = (text: string): number[] => [text.length, ...Buffer.from(text)];
  const section = (id: number, bytes: number[]): number[] => [id, bytes.length, ...bytes];
  const body = [0x00, 0x41, 0x00, 0x41, 0x80, 0x01, 0x41, 0x02, 0x41, 0x80, 0x02, 0x10, 0x00, 0x0b];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x02, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7f]),
    ...section(2, [0x01, ...name('wasi_snapshot_preview1'), ...name('poll_oneoff'), 0x00, 0x00]),
    ...section(3, [0x01, 0x01]),
    ...section(5, [0x01, 0x00, 0x01]),
    ...section(7, [0x02, ...name('memory'), 0x02, 0x00, ...name('probe'), 0x00, 0x01]),
    ...section(10, [0x01, body.length, ...body]),
  ]);
}

/** The part of the WebAssembly global used here (this project's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** A function that says whether fd 1 polls as an error for writing (its reader is gone). */
async function loadReaderGoneProbe(): Promise<() => boolean> {
  // Node 20 prints "WASI is an experimental feature" when the module loads: not for a CLI's user to see.
  const emitWarning = process.emitWarning;
  process.emitWarning = () => undefined;
  let wasiModule: typeof WasiModule;
  try {
    wasiModule = await import('node:wasi');
  } finally {
    process.emitWarning = emitWarning;
  }
  const { WASI } = wasiModule;
  const wasi = new WASI({ version: 'preview1', returnOnExit: true });
  const instance = new wasm.Instance(new wasm.Module(probeModuleBytes()), { wasi_snapshot_preview1: wasi.wasiImport });
  wasi.initialize(instance);
  const exports = instance.exports as { memory: { buffer: ArrayBuffer }; probe: () => number };
  const memory = new DataView(exports.memory.buffer);
  // Subscription 1: fd 1 writable (tag 2, fd_write). Subscription 2: a relative clock of 0 (tag 0).
  memory.setBigUint64(SUBSCRIPTIONS, FD_EVENT, true);
  memory.setUint8(SUBSCRIPTIONS + 8, 2);
  memory.setUint32(SUBSCRIPTIONS + 16, 1, true);
  const clock = SUBSCRIPTIONS + SUBSCRIPTION_SIZE;
  memory.setBigUint64(clock, 2n, true);
  memory.setUint8(clock + 8, 0);
  memory.setUint32(clock + 16, 1, true); // CLOCK_MONOTONIC
  memory.setBigUint64(clock + 24, CLOCK_TIMEOUT_NS, true);
  return () => {
    if (exports.probe() !== 0) return false;
    const count = memory.getUint32(256, true);
    for (let i = 0; i < count; i++) {
      const event = EVENTS + i * EVENT_SIZE;
      if (memory.getBigUint64(event, true) === FD_EVENT && memory.getUint16(event + 8, true) !== 0) return true;
    }
    return false;
  };
}

/**
 * Calls `onClosed` once when the reader of stdout (fd 1) has gone away, checking every
 * {@link OUTPUT_CLOSED_PROBE_MS}; resolves with a function that stops watching. Watches nothing unless fd 1 is
 * a pipe on Linux, and never keeps the process alive.
 */
export async function watchForClosedOutput(onClosed: () => void): Promise<() => void> {
  if (process.platform !== 'linux' || !isPipe(1)) return () => undefined;
  let readerGone: () => boolean;
  try {
    readerGone = await loadReaderGoneProbe();
  } catch {
    return () => undefined; // No WASI in this Node: a closed reader is noticed at the next write, as before.
  }
  const timer = setInterval(() => {
    if (!readerGone()) return;
    clearInterval(timer);
    onClosed();
  }, OUTPUT_CLOSED_PROBE_MS);
  timer.unref();
  return () => clearInterval(timer);
}

function isPipe(fd: number): boolean {
  try {
    return fstatSync(fd).isFIFO();
  } catch {
    return false;
  }
}
