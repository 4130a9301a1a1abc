/**
 * Admission before authentication, shared by every port (sentry, query): nothing is free until a peer has
 * authenticated.
 *
 * - **Caps.** A connection counts from its TCP accept until it authenticates or closes; past
 *   {@link UNAUTHENTICATED_CONNECTIONS} (all sources, one source) or while its source is over its failure limit
 *   (pre-auth-log.ts), a new connection is refused at once: a plain-HTTP port writes a 503 and closes, a TLS
 *   port drops the socket (no TLS handshake is spent on it).
 * - **Deadline.** A connection that has not upgraded to WebSocket by the handshake deadline is destroyed; one
 *   that has upgraded gets the handshake's own close (1008 `handshake timeout`: the server's handshake timer
 *   runs for {@link Admission.remainingMs}, so both fall together) and is destroyed {@link CLOSE_GRACE_MS} later whether or not the peer answers the close. So an idle raw TCP socket, a
 *   half-done TLS handshake or a silent WebSocket is released within the deadline (+1 s), not after `ws`'s 30 s
 *   closing timeout.
 * - **Byte budget.** Once upgraded, the connection may send {@link PRE_AUTH_BYTES_LIMIT} bytes before it
 *   authenticates; past that nothing more is read or handed to `ws`, the server closes the WebSocket (1009
 *   `too much before authentication`) and the socket is destroyed {@link CLOSE_GRACE_MS} later.
 *
 * Why a byte budget on the socket and not `ws`'s `maxPayload`: `ws` takes one `maxPayload` per server and
 * fixes it in each socket's `Receiver` at the upgrade, before anyone knows who the peer is; an authenticated
 * sentry must be able to send answers up to `SENTRY_FRAME_LIMIT_BYTES` (16 MiB), so the sentry port's `maxPayload`
 * is 16 MiB and a frame under it is buffered whole (`Receiver` keeps every chunk until the frame is complete).
 * Checking the greeting's size after `ws` delivers it is too late for memory. Lowering the receiver's private
 * `_maxPayload` until the hello is accepted would work with ws 8 but depends on a private field. Counting the
 * bytes of the socket's `'data'` events (public `net.Socket` API; `ws` reads the same events) bounds what a
 * peer can make `ws` buffer before authentication to the budget plus one read (≤ 64 KiB), whatever the framing:
 * one big frame, fragments, many small frames or pings. Once the peer authenticates the listener is removed
 * and the server's `maxPayload` alone applies.
 *
 * @module
 */
import type { Server as NetServer, Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { IpAddress } from '../runtime/ip-address.js';
import { CLOSE_GRACE_MS, HANDSHAKE_DEADLINE_MS, PRE_AUTH_BYTES_LIMIT, UNAUTHENTICATED_CONNECTIONS } from './limits.js';
import { PreAuthLog, type PreAuthLogEvent, type PreAuthLogOptions } from './pre-auth-log.js';

/** Options of an {@link AdmissionGuard}; every limit defaults to its value in limits.ts. */
export interface AdmissionOptions extends PreAuthLogOptions {
  /** Unauthenticated connections, all sources. @default {@link UNAUTHENTICATED_CONNECTIONS}.total */
  readonly total?: number;
  /** Unauthenticated connections from one source. @default {@link UNAUTHENTICATED_CONNECTIONS}.perSource */
  readonly perSource?: number;
  /** From accept to authenticated. @default {@link HANDSHAKE_DEADLINE_MS} */
  readonly deadlineMs?: number;
  /** Bytes after the upgrade and before authentication. @default {@link PRE_AUTH_BYTES_LIMIT} */
  readonly bytesLimit?: number;
}

/** What a server tells the guard about one connection it has taken from {@link AdmissionGuard.admit}. */
export interface Admission {
  /** The peer's address in canonical text, if known. */
  readonly remoteIp: string | undefined;
  /**
   * What is left of the handshake deadline, counted from the TCP accept (from the upgrade on a caller-owned
   * server): the server's handshake timer gets this, so there is one deadline and a peer that upgrades late
   * still gets the handshake's close (1008) and its failure is logged before the guard drops the socket.
   */
  remainingMs(): number;
  /** The peer authenticated: it no longer counts, and its deadline and byte budget are lifted. */
  authenticated(): void;
  /**
   * The peer failed before authenticating (wrong credentials, a malformed greeting, a missed deadline): logged
   * through the summarising log, and counted toward its source's failure limit. The caller closes the socket.
   */
  failed(event: Omit<PreAuthLogEvent, 'remote_ip' | 'count'>): void;
}

interface Entry {
  readonly key: string;
  readonly source: string;
  readonly remoteIp: string | undefined;
  readonly sockets: Socket[];
  /** When the handshake deadline falls (`Date.now()` time). */
  readonly deadlineAt: number;
  timer: NodeJS.Timeout | undefined;
  upgraded: boolean;
  released: boolean;
  stopCounting?: () => void;
}

/** The admission of unauthenticated connections of one port; see the module comment. */
export class AdmissionGuard {
  readonly #entries = new Map<string, Entry>();
  readonly #perSource = new Map<string, number>();
  readonly #log: PreAuthLog;
  readonly #total: number;
  readonly #perSourceLimit: number;
  readonly #deadlineMs: number;
  readonly #bytesLimit: number;
  readonly #detach: Array<() => void> = [];

  constructor(options: AdmissionOptions = {}) {
    this.#log = new PreAuthLog(options);
    this.#total = options.total ?? UNAUTHENTICATED_CONNECTIONS.total;
    this.#perSourceLimit = options.perSource ?? UNAUTHENTICATED_CONNECTIONS.perSource;
    this.#deadlineMs = options.deadlineMs ?? HANDSHAKE_DEADLINE_MS;
    this.#bytesLimit = options.bytesLimit ?? PRE_AUTH_BYTES_LIMIT;
  }

  /** Connections counted now (accepted, not yet authenticated or closed). */
  get pending(): number {
    return this.#entries.size;
  }

  /** Admits (or refuses) every TCP connection `server` accepts, from its accept. */
  attach(server: NetServer): void {
    const mode = server instanceof TlsServer ? 'tls' : 'plain';
    const onConnection = (socket: Socket): void => void this.#accept(socket, mode);
    server.on('connection', onConnection);
    this.#detach.push(() => server.off('connection', onConnection));
  }

  /**
   * A socket has upgraded to WebSocket (`request.socket`): its admission, with the byte budget now counting; or
   * undefined if it is refused (it is already being dropped). A socket of a server the guard is not attached to
   * (a caller-owned server) is admitted here, at the upgrade. `onOversize` is told when the peer has sent more
   * than the byte budget (the server closes its WebSocket with 1009; the guard drops the socket shortly after).
   */
  admit(socket: Socket, onOversize?: () => void): Admission | undefined {
    const entry = this.#entries.get(keyOf(socket)) ?? this.#accept(socket, 'upgraded');
    if (!entry) return undefined;
    entry.upgraded = true;
    if (!entry.sockets.includes(socket)) entry.sockets.push(socket);
    let bytes = 0;
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes <= this.#bytesLimit || entry.released) return;
      // Nothing more reaches ws (its 'data' listener goes) and nothing more is read; the server's close (1009)
      // still goes out, and the socket goes CLOSE_GRACE_MS later. Destroying it at once would reset the
      // connection with unread data, and the peer could lose the close frame that says why.
      socket.removeAllListeners('data');
      socket.pause();
      this.#fail(entry, { event: 'oversize', detail: `sent more than ${this.#bytesLimit} bytes before authenticating` });
      onOversize?.();
      clearTimeout(entry.timer);
      entry.timer = setTimeout(() => this.#drop(entry), CLOSE_GRACE_MS);
    };
    socket.on('data', onData);
    entry.stopCounting = () => socket.off('data', onData);
    return {
      remoteIp: entry.remoteIp,
      remainingMs: () => Math.max(0, entry.deadlineAt - Date.now()),
      authenticated: () => this.#release(entry),
      failed: (event) => this.#fail(entry, event),
    };
  }

  /** Stops admitting, drops every connection not yet authenticated and logs the pending summaries. */
  close(): void {
    for (const detach of this.#detach.splice(0)) detach();
    for (const entry of [...this.#entries.values()]) this.#drop(entry);
    this.#log.flush();
  }

  #accept(socket: Socket, mode: 'plain' | 'tls' | 'upgraded'): Entry | undefined {
    const remoteIp = canonicalIp(socket.remoteAddress);
    const source = sourceOf(remoteIp);
    const refusal = this.#log.blocked(source)
      ? 'too many failed authentications from this source; retry later'
      : this.#entries.size >= this.#total
        ? `too many unauthenticated connections on this port (${this.#total})`
        : (this.#perSource.get(source) ?? 0) >= this.#perSourceLimit
          ? `too many unauthenticated connections from this source (${this.#perSourceLimit})`
          : undefined;
    if (refusal !== undefined) {
      this.#log.record(source, { event: 'refused', detail: refusal, ...(remoteIp !== undefined && { remote_ip: remoteIp }) }, false);
      refuse(socket, mode, refusal);
      return undefined;
    }
    const entry: Entry = {
      key: keyOf(socket),
      source,
      remoteIp,
      sockets: [socket],
      deadlineAt: Date.now() + this.#deadlineMs,
      timer: undefined,
      upgraded: false,
      released: false,
    };
    this.#entries.set(entry.key, entry);
    this.#perSource.set(source, (this.#perSource.get(source) ?? 0) + 1);
    entry.timer = setTimeout(() => this.#deadline(entry), this.#deadlineMs);
    socket.once('close', () => this.#release(entry));
    return entry;
  }

  #deadline(entry: Entry): void {
    if (entry.released) return;
    if (!entry.upgraded) {
      this.#fail(entry, { event: 'handshake-timeout', detail: 'no WebSocket upgrade in time' });
      this.#drop(entry);
      return;
    }
    // The handshake closes the WebSocket (1008) at its deadline; the socket goes even if the peer never answers.
    entry.timer = setTimeout(() => this.#drop(entry), CLOSE_GRACE_MS);
  }

  #fail(entry: Entry, event: Omit<PreAuthLogEvent, 'remote_ip' | 'count'>): void {
    this.#log.record(entry.source, { ...event, ...(entry.remoteIp !== undefined && { remote_ip: entry.remoteIp }) }, true);
  }

  #drop(entry: Entry): void {
    const sockets = entry.sockets;
    this.#release(entry);
    for (const socket of sockets) socket.destroy();
  }

  #release(entry: Entry): void {
    if (entry.released) return;
    entry.released = true;
    clearTimeout(entry.timer);
    entry.stopCounting?.();
    if (this.#entries.get(entry.key) === entry) this.#entries.delete(entry.key);
    const left = (this.#perSource.get(entry.source) ?? 1) - 1;
    if (left > 0) this.#perSource.set(entry.source, left);
    else this.#perSource.delete(entry.source);
  }
}

/**
 * The source a connection is counted under: its address, except that an IPv6 address counts as its /64 (one
 * host can use a whole /64) and an IPv4-mapped one as its IPv4 address.
 */
export function sourceOf(remoteIp: string | undefined): string {
  if (remoteIp === undefined) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteIp);
  if (mapped) return mapped[1]!;
  const address = IpAddress.tryParse(remoteIp);
  if (address?.family !== 6) return remoteIp;
  const bytes = address.bytes;
  const prefix = Array.from({ length: 8 }, (_, i) => (i < 4 ? (((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0)).toString(16) : '0'));
  return `${IpAddress.parse(prefix.join(':')).toString()}/64`;
}

/** The peer address in canonical text (IPv4-mapped IPv6 kept as `::ffff:a.b.c.d`), or undefined. */
export function canonicalIp(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  return IpAddress.tryParse(address)?.toString() ?? address;
}

/** One live connection's identity, the same for a TLS socket and the TCP socket under it. */
function keyOf(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}|${socket.localAddress}|${socket.localPort}`;
}

/**
 * Turns a connection away at once: a 503 on plain HTTP before the upgrade (the peer learns why), a bare drop
 * under TLS (no handshake is spent on it) or once upgraded.
 */
function refuse(socket: Socket, mode: 'plain' | 'tls' | 'upgraded', reason: string): void {
  socket.on('error', () => undefined);
  if (mode !== 'plain') {
    socket.destroy();
    return;
  }
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
  // A peer that reads nothing cannot hold the socket: it goes whether or not the answer was taken.
  setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
}
