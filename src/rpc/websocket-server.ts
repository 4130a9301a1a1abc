/**
 * A listening WebSocket server, plain or TLS (`wss://`), for the ports that own their server: the query port and
 * the cluster port (the sentry port's connector builds its own the same way, and can attach to a caller's).
 *
 * @module
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer, type ServerOptions as TlsOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/** Where and how to listen. */
export interface WebSocketListenOptions {
  /** Interface to listen on. */
  readonly host: string;
  /** Port; 0 picks a free one. */
  readonly port: number;
  /** Serve `wss://` with these TLS options (cert, key, ...); plain `ws://` without. */
  readonly tls?: TlsOptions | undefined;
  /** Largest accepted frame in bytes (`ws` closes a socket sending a bigger one with 1009). */
  readonly maxPayload: number;
}

/** A WebSocket server and the HTTP(S) server under it. */
export interface WebSocketListener {
  /** The WebSocket server (its 'connection' events are the sockets). */
  readonly wss: WebSocketServer;
  /** Where it listens. */
  address(): AddressInfo;
  /** Drops every socket and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts listening; rejects with the server's error (e.g. `EADDRINUSE`, or a TLS key that does not fit its
 * certificate) if it cannot. A plain HTTP request gets 426 instead of hanging.
 */
export async function listenWebSocket(options: WebSocketListenOptions): Promise<WebSocketListener> {
  const server: HttpServer | HttpsServer = options.tls ? createHttpsServer(options.tls) : createHttpServer();
  server.on('request', (_request, response) => response.writeHead(426, { Connection: 'close' }).end('WebSocket only\n'));
  const wss = new WebSocketServer({ server, maxPayload: options.maxPayload });
  // Errors of the server after it listens are the sockets' (each has its own listener); never fatal.
  wss.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined);
  return {
    wss,
    address: () => server.address() as AddressInfo,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
