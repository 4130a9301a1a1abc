import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer, ServerOptions as TlsOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { QueryParseError } from '../errors/query-parse-error.js';
import { AdmissionGuard, type AdmissionOptions } from '../rpc/admission.js';
import { challengeText, newNonce, PROOF_PURPOSE, proofMatches, secretBytes } from '../rpc/challenge.js';
import { closeHttp, listenHttp } from '../rpc/http-listener.js';
import { AUDIT_QUERY_MAX_CHARS, HANDSHAKE_DEADLINE_MS, PRE_AUTH_BYTES_LIMIT } from '../rpc/limits.js';
import type { PreAuthLogEvent } from '../rpc/pre-auth-log.js';
import { boundText } from '../runtime/untrusted-text.js';
import { rowAsJson, type Row } from '../runtime/value.js';
import { queryRequestSchema, type QueryResponse } from './query-protocol.js';
import { RecordBatches } from './record-batches.js';

/** Starts a query as `user`; the host's `start` (e.g. Host) fits. */
export type StartQuery = (
  query: string,
  options: { user: string; onRecord: (row: Row) => Promise<void> },
) => {
  /** Settles when the query is over: resolves with how it ended, rejects if it failed. */
  readonly done: Promise<{
    /** `end` when the query ran to completion, `cancel` when it was cancelled. */
    reason: 'end' | 'cancel';
  }>;
  /** Cancels the query. */
  cancel(): void;
};

/** One query an authenticated client ran: a line of the audit trail. */
export interface QueryAuditEvent {
  /** Always `query`. */
  readonly event: 'query';
  /** Who ran it: the user the token stands for. */
  readonly user: string;
  /** The address the client connected from. */
  readonly remote_ip?: string;
  /** The query text, control characters escaped, cut to {@link AUDIT_QUERY_MAX_CHARS} characters. */
  readonly query: string;
  /**
   * How it ended: `end` (ran to completion), `cancelled` (the client went away, or a `limit`), `parse-error`
   * (never started: see `code`), `failed` (see `detail`).
   */
  readonly outcome: 'end' | 'cancelled' | 'parse-error' | 'failed';
  /** Milliseconds from the request to the end of the query. */
  readonly duration_ms: number;
  /** Records sent to the client. */
  readonly records: number;
  /** Of those, how many carry an `_error`. */
  readonly errors: number;
  /** For a parse error: its code. */
  readonly code?: number;
  /** For a parse error or a failure: its message. */
  readonly detail?: string;
}

/** Options of {@link QueryServer.listen}. */
export interface QueryServerOptions {
  /** Starts each query the server receives. */
  readonly start: StartQuery;
  /** The administrator token clients must prove (bytes; a string stands for its UTF-8); proofs are compared in constant time. */
  readonly adminToken: string | Uint8Array;
  /** The user queries run as. @default "admin" */
  readonly adminUser?: string;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Largest request frame in bytes. @default {@link PRE_AUTH_BYTES_LIMIT} (the request is the greeting) */
  readonly maxPayload?: number;
  /** Serve `wss://` with these TLS options (cert, key, ...). */
  readonly tls?: TlsOptions;
  /** Ms a client has to send its request. @default {@link HANDSHAKE_DEADLINE_MS} */
  readonly requestTimeoutMs?: number;
  /** Told of refused and failed requests (summarised per source, src/rpc/pre-auth-log.ts). */
  readonly log?: (event: PreAuthLogEvent) => void;
  /** Told of every query an authenticated client ran, once it is over: the audit trail. */
  readonly audit?: (event: QueryAuditEvent) => void;
  /** Caps before authentication (src/rpc/admission.ts); each defaults to its value in src/rpc/limits.ts. */
  readonly admission?: Omit<AdmissionOptions, 'log' | 'deadlineMs'>;
}

/**
 * The node's query endpoint: one WebSocket per query. The node opens with `{type:'challenge', nonce}`; the client
 * sends `{type:'query', proof, query}`, the proof an HMAC of the administrator token over the nonce and the query
 * (src/rpc/challenge.ts: the token never travels); the node streams `{type:'records', rows}` (values as JSON:
 * ipaddr as text; several per frame, see record-batches.ts) and ends with `{type:'end'}` or `{type:'error', code?, message}`. A client that closes
 * its socket cancels its query. A frame is sent only after the previous one was handed to the socket, so a
 * slow client slows the query instead of filling memory.
 */
export class QueryServer {
  readonly #server: HttpServer | HttpsServer;
  readonly #wss: WebSocketServer;
  readonly #guard: AdmissionGuard;
  readonly #options: QueryServerOptions;
  readonly #token: Buffer;

  private constructor(server: HttpServer | HttpsServer, options: QueryServerOptions) {
    this.#server = server;
    this.#wss = new WebSocketServer({ server, maxPayload: options.maxPayload ?? PRE_AUTH_BYTES_LIMIT });
    this.#options = options;
    this.#token = secretBytes(options.adminToken);
    this.#guard = new AdmissionGuard({
      ...options.admission,
      deadlineMs: options.requestTimeoutMs ?? HANDSHAKE_DEADLINE_MS,
      ...(options.log && { log: options.log }),
    });
    this.#guard.attach(server);
    // ws re-emits the HTTP server's 'error' here; without a listener it would end the process.
    this.#wss.on('error', (error) => options.log?.({ event: 'socket-error', detail: error.message }));
    this.#wss.on('connection', (socket, request) => this.#serve(socket, request));
  }

  /**
   * Starts a query server and waits until it is listening.
   * @param options - what to run queries with, the token, and where to listen
   * @returns the listening server
   * @throws the server's `error` (e.g. `EADDRINUSE`) if it cannot listen
   */
  static async listen(options: QueryServerOptions): Promise<QueryServer> {
    const server = await listenHttp({
      ...(options.host !== undefined && { host: options.host }),
      ...(options.port !== undefined && { port: options.port }),
      ...(options.tls && { tls: options.tls }),
    });
    return new QueryServer(server, options);
  }

  /**
   * Where the server listens.
   * @returns its address and (possibly OS-chosen) port
   */
  address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  /** Stops listening and closes every query socket (their queries are cancelled). */
  async close(): Promise<void> {
    this.#guard.close();
    for (const client of this.#wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await closeHttp(this.#server);
  }

  #serve(socket: WebSocket, httpRequest: IncomingMessage): void {
    const admission = this.#guard.admit(httpRequest.socket, () => socket.close(1009, 'too much before authentication'));
    // ws reports a malformed frame (bad opcode, oversize, bad UTF-8, unmasked) as 'error' and then closes the
    // socket; without a listener that 'error' is thrown and ends the whole process.
    let requested = false;
    socket.on('error', (error) => {
      if (!requested) admission?.failed({ event: 'socket-error', detail: error.message });
    });
    if (!admission) return; // refused: the socket is already being dropped
    // A client that never says what it wants does not get to hold a socket.
    const deadline = setTimeout(() => {
      admission.failed({ event: 'handshake-timeout', detail: 'no query request in time' });
      socket.terminate();
    }, admission.remainingMs());
    socket.once('close', () => clearTimeout(deadline));
    // A fresh nonce per connection: the request must prove the token over it, so a captured request is void here.
    const nonce = newNonce();
    socket.send(challengeText(nonce));
    socket.once('message', (data, isBinary) => {
      requested = true;
      clearTimeout(deadline);
      let text: string;
      try {
        text = isBinary ? '' : data.toString();
      } catch {
        text = '';
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const request = queryRequestSchema.safeParse(json);
      if (!request.success) {
        admission.failed({ event: 'malformed-frame', detail: 'malformed query request' });
        return this.#finish(socket, { type: 'error', message: 'malformed query request' });
      }
      if (!proofMatches(this.#token, PROOF_PURPOSE.query, nonce, request.data.query, request.data.proof)) {
        admission.failed({ event: 'rejected', detail: 'wrong token' });
        return this.#finish(socket, { type: 'error', message: 'authentication failed' });
      }
      // The socket is closing (its deadline or byte budget ran out as the request came): nothing to run.
      if (socket.readyState !== socket.OPEN) return;
      admission.authenticated();
      void this.#run(socket, request.data.query, admission.remoteIp);
    });
  }

  async #run(socket: WebSocket, query: string, remoteIp: string | undefined): Promise<void> {
    const user = this.#options.adminUser ?? 'admin';
    const started = performance.now();
    let records = 0;
    let errors = 0;
    const audit = (outcome: QueryAuditEvent['outcome'], failure?: { code?: number; detail: string }): void =>
      this.#options.audit?.({
        event: 'query',
        user,
        ...(remoteIp !== undefined && { remote_ip: remoteIp }),
        query: boundText(query, AUDIT_QUERY_MAX_CHARS),
        outcome,
        duration_ms: Math.round(performance.now() - started),
        records,
        errors,
        ...(failure?.code !== undefined && { code: failure.code }),
        ...(failure && { detail: failure.detail }),
      });
    const send = (frame: QueryResponse): Promise<void> =>
      new Promise((resolve) => {
        if (socket.readyState !== socket.OPEN) return resolve();
        socket.send(JSON.stringify(frame), () => resolve());
      });
    const batches = new RecordBatches((rows) => send({ type: 'records', rows }));
    let run: ReturnType<StartQuery>;
    try {
      run = this.#options.start(query, {
        user,
        // A closing socket takes writes without waiting: stop the query at once instead of racing on unheard.
        onRecord: (row) => {
          if (socket.readyState !== socket.OPEN) return (run.cancel(), Promise.resolve());
          records++;
          if (row['_error'] !== undefined) errors++;
          return batches.push(rowAsJson(row));
        },
      });
    } catch (error) {
      const code = error instanceof QueryParseError ? error.code : undefined;
      const message = (error as Error).message;
      audit(code !== undefined ? 'parse-error' : 'failed', { ...(code !== undefined && { code }), detail: message });
      return this.#finish(socket, { type: 'error', ...(code !== undefined && { code }), message });
    }
    socket.once('close', () => {
      batches.discard();
      run.cancel();
    });
    try {
      const outcome = await run.done;
      await batches.flush();
      audit(outcome.reason === 'cancel' || socket.readyState !== socket.OPEN ? 'cancelled' : 'end');
      this.#finish(socket, { type: 'end', reason: outcome.reason });
    } catch (error) {
      await batches.flush();
      audit('failed', { detail: (error as Error).message });
      this.#finish(socket, { type: 'error', message: `the query failed: ${(error as Error).message}` });
    }
  }

  #finish(socket: WebSocket, frame: QueryResponse): void {
    if (socket.readyState !== socket.OPEN) return;
    socket.send(JSON.stringify(frame), () => socket.close(1000));
  }
}
