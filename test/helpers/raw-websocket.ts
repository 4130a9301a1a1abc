/**
 * A raw WebSocket client on a plain TCP socket: it completes the HTTP upgrade by hand and then writes whatever
 * bytes a test gives it, so tests can send frames no well-behaved library would (for the hostile-frame tests).
 */
import { connect, type Socket } from 'node:net';

/** Frames `ws` must refuse: each makes its receiver fail the socket with a protocol error. */
export const HOSTILE_FRAMES: Readonly<Record<string, Buffer>> = Object.freeze({
  // FIN + reserved opcode 3, masked, empty: 6 bytes.
  'reserved opcode': Buffer.from([0x83, 0x80, 1, 2, 3, 4]),
  // A binary frame announcing 2^40 bytes: far over any frame limit.
  'oversize length': Buffer.from([0x82, 0xff, 0, 0, 0x01, 0, 0, 0, 0, 0, 1, 2, 3, 4]),
  // A text frame of 0xC3 0x28 (not UTF-8), masked with a zero mask so the bytes are as written.
  'bad UTF-8': Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0xc3, 0x28]),
  // A client frame without the mask bit (RFC 6455 5.1: the server must close).
  'unmasked client frame': Buffer.from([0x81, 0x02, 0x68, 0x69]),
});

/**
 * Opens a TCP connection to 127.0.0.1:`port`, upgrades it to WebSocket, writes `frame`, and resolves once the
 * server has closed the connection (with the status line the upgrade got). Rejects after `deadlineMs`.
 */
export function sendRawFrame(port: number, frame: Buffer, deadlineMs = 10_000): Promise<{ status: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let status = '';
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`port ${port}: the server did not close the connection within ${deadlineMs} ms`));
    }, deadlineMs);
    socket.on('connect', () => {
      socket.write(
        'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    socket.once('data', (data) => {
      status = data.toString('latin1').split('\r\n', 1)[0] ?? '';
      socket.write(frame);
    });
    // The server may reset rather than close; either way the connection is gone.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(deadline);
      resolve({ status });
    });
  });
}

/** A raw TCP connection that has asked for a WebSocket upgrade; see {@link rawUpgrade}. */
export interface RawUpgrade {
  readonly socket: Socket;
  /** The status line of the server's answer ('' if it closed first). */
  readonly status: Promise<string>;
  /** Resolves once the server has closed the connection (or reset it). */
  readonly closed: Promise<void>;
}

/** Opens a TCP connection to 127.0.0.1:`port` and asks for a WebSocket upgrade (the status line says what came). */
export function rawUpgrade(port: number): RawUpgrade {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.on('connect', () =>
    socket.write(
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    ),
  );
  const status = new Promise<string>((resolve) => {
    socket.once('data', (data: Buffer) => resolve(data.toString('latin1').split('\r\n', 1)[0] ?? ''));
    socket.once('close', () => resolve(''));
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, status, closed };
}

/** The header of a masked client text frame announcing `length` bytes (zero mask: the payload goes as written). */
export function frameHeader(length: number): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header; // the last 4 bytes are the (zero) mask
}

/** The HTTP request that asks for a WebSocket upgrade, as {@link rawUpgrade} sends it. */
export const UPGRADE_REQUEST =
  'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/** A masked client frame (zero mask: the payload goes as written) of `opcode` (1 text, 2 binary), under 64 KiB. */
export function clientFrame(opcode: 1 | 2, payload: string | Buffer): Buffer {
  const body = Buffer.from(payload);
  const header =
    body.length < 126
      ? Buffer.from([0x80 | opcode, 0x80 | body.length])
      : Buffer.from([0x80 | opcode, 0x80 | 126, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([header, Buffer.alloc(4), body]);
}

/** A raw TCP peer that writes bytes as a test gives them and keeps all the server wrote, as latin1 text. */
export class RawPeer {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  #received = '';
  #ended = false;
  readonly #waiters = new Set<() => void>();

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    this.socket.on('data', (d: Buffer) => {
      this.#received += d.toString('latin1');
      for (const wake of this.#waiters) wake();
    });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.once('close', () => {
      this.#ended = true;
      for (const wake of this.#waiters) wake();
    });
  }

  /** All the server wrote so far (the server's frames are unmasked, so their text shows as written). */
  get received(): string {
    return this.#received;
  }

  /** The first match of `pattern` in what the server wrote; null if the connection closed or `deadlineMs` passed first. */
  until(pattern: RegExp, deadlineMs = 10_000): Promise<RegExpExecArray | null> {
    return new Promise((resolve) => {
      const check = (): void => {
        const match = pattern.exec(this.#received);
        if (!match && !this.#ended) return;
        this.#waiters.delete(check);
        clearTimeout(deadline);
        resolve(match);
      };
      const deadline = setTimeout(() => {
        this.#waiters.delete(check);
        resolve(null);
      }, deadlineMs);
      this.#waiters.add(check);
      check();
    });
  }
}
