import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer, ServerOptions as TlsOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { AdmissionGuard, type Admission, type AdmissionOptions } from '../rpc/admission.js';
import { CLOSE_CODES } from '../rpc/close-codes.js';
import { closeHttp, listenHttp } from '../rpc/http-listener.js';
import {
  CLOSE_GRACE_MS,
  DUPLICATE_GUID_LOG_WINDOW_MS,
  DUPLICATE_GUID_PROBE_MS,
  HANDSHAKE_DEADLINE_MS,
  PING_INTERVAL_MS,
  SENTRY_FRAME_LIMIT_BYTES,
} from '../rpc/limits.js';
import { SentryRpcError, type SentryCallOptions, type SentryConnector, type SentryInfo } from '../runtime/sentry-connector.js';
import { type KeyChanges, type KeyRegistry } from './key-registry.js';
import type { HelloFrame } from './protocol.js';
import { duplicateGuidReason } from './duplicate-guid.js';
import { SentryLink } from './sentry-link.js';

/** Something the connector refused or dropped, for the operator's log. */
export interface ConnectorLogEvent {
  /**
   * What happened to the link. Before authentication (`rejected`, `malformed-frame`, `handshake-timeout`,
   * `socket-error`, `oversize`, `refused`) the first event of a source is logged as it is and the rest of its
   * window as one `summary` (src/rpc/pre-auth-log.ts); `replaced`, `disconnected` and an authenticated link's
   * `socket-error` are logged each time. `sentry-connected` and `sentry-disconnected` tell a sentry's state:
   * its link came up, or its current link went down (with `connected_ms`); `disconnected` is a link that a
   * newer one had already replaced going down. `duplicate-guid` (a second live sentry with a guid, refused) is
   * logged once per guid and {@link DUPLICATE_GUID_LOG_WINDOW_MS}, with the count since its last line.
   */
  readonly event:
    | 'rejected'
    | 'malformed-frame'
    | 'handshake-timeout'
    | 'socket-error'
    | 'oversize'
    | 'refused'
    | 'summary'
    | 'replaced'
    | 'duplicate-guid'
    | 'disconnected'
    | 'sentry-connected'
    | 'sentry-disconnected';
  /** Human-readable detail of the event. */
  readonly detail: string;
  /** GUID of the sentry, once it has said hello. */
  readonly guid?: string;
  /** IP address the sentry connected from (for a summary: the source, an IPv6 /64). */
  readonly remote_ip?: string;
  /** For a summary: how many events it stands for. */
  readonly count?: number;
  /** For `sentry-disconnected`: how long the link that went down was up, in milliseconds. */
  readonly connected_ms?: number;
}

/** Options of {@link WebSocketConnector.listen}. */
export interface WebSocketConnectorOptions {
  /** The sentries allowed in. */
  readonly keys: KeyRegistry;
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Port; 0 picks a free one (see {@link WebSocketConnector.address}). @default 0 */
  readonly port?: number;
  /** Serve `wss://` with these TLS options (cert, key, ...). Ignored when `server` is given. */
  readonly tls?: TlsOptions;
  /**
   * An HTTP(S) server the caller owns and has set listening; the connector attaches to it and never closes it.
   * Its connections are admitted at their WebSocket upgrade (the owner bounds what comes before).
   */
  readonly server?: HttpServer | HttpsServer;
  /** Largest accepted frame in bytes; a bigger one closes that socket (1009). @default {@link SENTRY_FRAME_LIMIT_BYTES} */
  readonly maxPayload?: number;
  /** A socket that has not sent a valid hello in time is closed. @default {@link HANDSHAKE_DEADLINE_MS} */
  readonly handshakeTimeoutMs?: number;
  /** Ping period of authenticated links; a missed pong terminates the link. 0 disables. @default {@link PING_INTERVAL_MS} */
  readonly pingIntervalMs?: number;
  /** Told of every rejection and dropped link (summarised before authentication). */
  readonly log?: (event: ConnectorLogEvent) => void;
  /**
   * Told when a sentry's link comes up (after its hello is accepted) and when its current link goes down, with
   * the sentry as `list()` shows it. A data node on NATS serves and announces its sentries from this.
   */
  readonly onSentryChange?: (info: SentryInfo) => void;
  /** Caps before authentication (src/rpc/admission.ts); each defaults to its value in src/rpc/limits.ts. */
  readonly admission?: Omit<AdmissionOptions, 'log' | 'deadlineMs'>;
}

interface SentryRecord {
  hostname?: string;
  os?: string;
  remote_ip?: string;
  connected_at: Date;
  link: SentryLink;
  /** When its last link went down; absent while its first link is up. */
  last_seen?: Date;
}

/**
 * The host side of the real sentry link: a WebSocket server sentries connect to. It challenges each socket with a
 * fresh nonce; a sentry says hello with its guid and a proof of its key over that nonce (the key never travels);
 * once accepted it is welcomed and answers JSON-RPC calls. When a guid's link is up and another sentry
 * authenticates with that guid, the current link is pinged: if it answers within
 * {@link DUPLICATE_GUID_PROBE_MS} the newcomer is refused (4001 `duplicate guid: …`, logged as
 * `duplicate-guid`), else the newcomer replaces it (a sentry back after a network drop gets in at once). A
 * failed hello never disturbs a live link.
 *
 * @example
 * ```ts
 * const connector = await WebSocketConnector.listen({ keys: new KeyRegistry({ 'web-01': secret }), port: 8443, tls });
 * const answer = await connector.call('web-01', 'netstat', {}, { timeoutMs: 30_000 });
 * ```
 */
export class WebSocketConnector implements SentryConnector {
  readonly #wss: WebSocketServer;
  readonly #server: HttpServer | HttpsServer;
  readonly #ownsServer: boolean;
  readonly #options: WebSocketConnectorOptions;
  readonly #sentries = new Map<string, SentryRecord>();
  /** Every open socket, in its handshake or authenticated. */
  readonly #links = new Set<SentryLink>();
  readonly #guard: AdmissionGuard;
  /** Per guid with refused duplicates: when its log window ends, and how many were refused since its last line. */
  readonly #duplicates = new Map<string, { windowEndsAt: number; unlogged: number }>();
  #closing: Promise<void> | undefined;

  private constructor(server: HttpServer | HttpsServer, ownsServer: boolean, options: WebSocketConnectorOptions) {
    this.#server = server;
    this.#ownsServer = ownsServer;
    this.#options = options;
    this.#guard = new AdmissionGuard({
      ...options.admission,
      deadlineMs: options.handshakeTimeoutMs ?? HANDSHAKE_DEADLINE_MS,
      log: (event) => this.#log(event as ConnectorLogEvent),
    });
    if (ownsServer) this.#guard.attach(server);
    this.#wss = new WebSocketServer({ server, maxPayload: options.maxPayload ?? SENTRY_FRAME_LIMIT_BYTES });
    this.#wss.on('connection', (ws, request) => this.#onConnection(ws, request));
    this.#wss.on('error', (error) => this.#log({ event: 'socket-error', detail: error.message }));
  }

  /** Starts a connector and resolves once it listens. */
  static async listen(options: WebSocketConnectorOptions): Promise<WebSocketConnector> {
    if (options.server) return new WebSocketConnector(options.server, false, options);
    const server = await listenHttp({
      ...(options.host !== undefined && { host: options.host }),
      ...(options.port !== undefined && { port: options.port }),
      ...(options.tls && { tls: options.tls }),
    });
    return new WebSocketConnector(server, true, options);
  }

  /** Where it listens. */
  address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  /**
   * Every sentry that has a key, connected or not, in the keys' order (one that never connected since the
   * connector started has only `guid` and `connected: false`), then any still linked whose key was just removed.
   */
  list(): SentryInfo[] {
    const now = new Date();
    const listed = new Set<string>();
    const infos: SentryInfo[] = [];
    for (const guid of this.#options.keys.guids()) {
      listed.add(guid);
      const s = this.#sentries.get(guid);
      infos.push(s ? this.#info(guid, s, now) : { guid, connected: false });
    }
    for (const [guid, s] of this.#sentries) if (!listed.has(guid) && s.link.open) infos.push(this.#info(guid, s, now));
    return infos;
  }

  /**
   * Replaces every key (a reloaded keys file) and closes, with 1008, the link of each sentry whose key was
   * removed (`key revoked`) or changed (`key rotated`): a link stands for the key it proved, so it does not
   * outlive it; a rotated sentry reconnects with its new key. Hellos from now on are checked against `keys`.
   * @returns which guids were added, removed and rotated
   */
  replaceKeys(keys: Readonly<Record<string, string | Uint8Array>>): KeyChanges {
    const changes = this.#options.keys.replaceAll(keys);
    // A removed guid is forgotten once its link is down (at once if it is already): list() names guids with a key.
    for (const guid of changes.removed) {
      const s = this.#sentries.get(guid);
      if (s?.link.open) s.link.close(CLOSE_CODES.policy, 'key revoked');
      else this.#sentries.delete(guid);
    }
    for (const guid of changes.rotated) {
      const s = this.#sentries.get(guid);
      if (s?.link.open) s.link.close(CLOSE_CODES.policy, 'key rotated');
    }
    return changes;
  }

  call(guid: string, method: string, params: Readonly<Record<string, unknown>>, options: SentryCallOptions): Promise<unknown> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const link = this.#sentries.get(guid)?.link;
    if (!link?.open || this.#closing) return Promise.reject(SentryRpcError.notConnected());
    return link.call(method, params, options);
  }

  /** Closes every link and handshake and stops listening; leaves no timer behind. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#guard.close();
    const links = [...this.#links];
    for (const link of links) link.close(CLOSE_CODES.goingAway, 'connector closing');
    const grace = setTimeout(() => {
      for (const link of links) link.terminate();
    }, CLOSE_GRACE_MS);
    await Promise.all(links.map((link) => link.whenClosed()));
    clearTimeout(grace);
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    if (this.#ownsServer) await closeHttp(this.#server);
  }

  #onConnection(ws: WebSocket, request: IncomingMessage): void {
    const admission = this.#guard.admit(request.socket, () => link.close(CLOSE_CODES.tooBig, 'too much before authentication'));
    if (!admission) {
      // Refused: the socket is already being dropped. ws may still report what the peer sent with its upgrade
      // (a bad frame) as 'error', which without a listener would end the process.
      ws.on('error', () => undefined);
      ws.terminate();
      return;
    }
    const remote_ip = admission.remoteIp;
    const log = (event: ConnectorLogEvent['event'], detail: string, guid?: string, connected_ms?: number): void =>
      this.#log({
        event,
        detail,
        ...(guid !== undefined && { guid }),
        ...(remote_ip !== undefined && { remote_ip }),
        ...(connected_ms !== undefined && { connected_ms }),
      });
    // An authenticated link going down: the sentry's, if it is its current link; else one already replaced.
    const linkLog = (event: ConnectorLogEvent['event'], detail: string, guid: string): void => {
      const current = this.#sentries.get(guid);
      if (event !== 'disconnected' || current?.link !== link) return log(event, detail, guid);
      log('sentry-disconnected', detail, guid, Date.now() - current.connected_at.getTime());
    };
    const link: SentryLink = new SentryLink(ws, {
      handshakeTimeoutMs: admission.remainingMs(),
      pingIntervalMs: this.#options.pingIntervalMs ?? PING_INTERVAL_MS,
      // Before authentication through the summarising log (and the source's failure count); after, as it is.
      log: (event, detail) => (link.guid === undefined ? admission.failed({ event, detail }) : linkLog(event, detail, link.guid)),
      onHello: (_link, hello, nonce) => this.#onHello(link, hello, nonce, admission, log),
      onClose: () => {
        this.#links.delete(link);
        const guid = link.guid;
        // Only the sentry's current link: one replaced by a newer link going down changes nothing.
        const current = guid === undefined ? undefined : this.#sentries.get(guid);
        if (guid === undefined || current?.link !== link) return;
        current.last_seen = new Date();
        if (!this.#options.keys.has(guid)) this.#sentries.delete(guid);
        this.#changed(guid, current);
      },
    });
    this.#links.add(link);
    if (this.#closing) link.close(CLOSE_CODES.goingAway, 'connector closing');
  }

  #onHello(
    link: SentryLink,
    hello: HelloFrame,
    nonce: string,
    admission: Admission,
    log: (event: ConnectorLogEvent['event'], detail: string, guid?: string) => void,
  ): void {
    // The connector is shutting down, or the socket is closing (a bad frame came before the hello): not honoured.
    if (this.#closing || !link.socketOpen) return;
    const check = this.#options.keys.verify(hello.guid, nonce, hello.proof);
    if (check !== 'ok') {
      // The log says which; the sentry is only told that it failed, so guids cannot be probed.
      admission.failed({ event: 'rejected', detail: check, guid: hello.guid });
      link.refuse();
      return;
    }
    admission.authenticated();
    const previous = this.#sentries.get(hello.guid);
    if (!previous?.link.open) return this.#accept(link, hello, admission.remoteIp);
    // Another link holds the guid: a second machine with it (a cloned VM), or this sentry back after a network
    // drop the connector has not noticed yet. Only the first answers a ping.
    void previous.link.answersPing(DUPLICATE_GUID_PROBE_MS).then((alive) => {
      if (this.#closing || !link.socketOpen) return;
      const current = this.#sentries.get(hello.guid);
      // Alive, or replaced meanwhile by another newcomer (which has just proved itself): the newcomer waits out.
      if (current?.link.open && (alive || current !== previous)) {
        link.refuseDuplicate(duplicateGuidReason(hello.guid, current.remote_ip));
        this.#logDuplicate(hello.guid, admission.remoteIp, current.remote_ip);
        return;
      }
      if (current?.link.open) {
        log(
          'replaced',
          `a newer link authenticated; the current one did not answer a ping within ${DUPLICATE_GUID_PROBE_MS} ms`,
          hello.guid,
        );
        current.link.close(CLOSE_CODES.replaced, 'replaced by a newer link');
      }
      this.#accept(link, hello, admission.remoteIp);
    });
  }

  #accept(link: SentryLink, hello: HelloFrame, remote_ip: string | undefined): void {
    link.accept(hello.guid);
    this.#sentries.set(hello.guid, {
      connected_at: new Date(),
      link,
      ...(hello.hostname !== undefined && { hostname: hello.hostname }),
      ...(hello.os !== undefined && { os: hello.os }),
      ...(remote_ip !== undefined && { remote_ip }),
    });
    this.#changed(hello.guid);
  }

  /** Logs a refused duplicate, at most once per guid and window (with the count since the last line). */
  #logDuplicate(guid: string, newcomerIp: string | undefined, holderIp: string | undefined): void {
    const now = Date.now();
    const window = this.#duplicates.get(guid);
    if (window && now < window.windowEndsAt) {
      window.unlogged++;
      return;
    }
    const since = window && window.unlogged > 0 ? ` (${window.unlogged} more refused since the last line)` : '';
    // One entry per guid that ever had a duplicate: bounded by the keys, which only the operator adds.
    this.#duplicates.set(guid, { windowEndsAt: now + DUPLICATE_GUID_LOG_WINDOW_MS, unlogged: 0 });
    this.#log({
      event: 'duplicate-guid',
      detail:
        `another sentry authenticated as ${guid} while the one from ${holderIp ?? 'an unknown address'} is connected and answers: ` +
        `refused, the connected one kept${since}. Give each machine its own --guid`,
      guid,
      ...(newcomerIp !== undefined && { remote_ip: newcomerIp }),
    });
  }

  #changed(guid: string, record?: SentryRecord): void {
    const s = record ?? this.#sentries.get(guid);
    if (!s) return;
    // The link's coming up is logged here; its going down by the link's own log (with its close code).
    if (s.link.open)
      this.#log({ event: 'sentry-connected', detail: 'authenticated', guid, ...(s.remote_ip !== undefined && { remote_ip: s.remote_ip }) });
    this.#options.onSentryChange?.(this.#info(guid, s, new Date()));
  }

  /** `last_seen`: now for a connected sentry, else when its last link went down. */
  #info(guid: string, s: SentryRecord, now: Date): SentryInfo {
    const connected = s.link.open;
    const last_seen = connected ? now : s.last_seen;
    return {
      guid,
      connected,
      ...(s.hostname !== undefined && { hostname: s.hostname }),
      ...(s.os !== undefined && { os: s.os }),
      ...(s.remote_ip !== undefined && { remote_ip: s.remote_ip }),
      connected_at: s.connected_at,
      ...(last_seen !== undefined && { last_seen }),
    };
  }

  #log(event: ConnectorLogEvent): void {
    this.#options.log?.(event);
  }
}
