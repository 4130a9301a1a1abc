/**
 * The HTTP(S) server under every WebSocket port: it refuses plain HTTP requests clearly (426) and listens; the
 * port attaches its `ws` server and its {@link AdmissionGuard} (admission.ts) to it.
 *
 * @module
 */
import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer, type ServerOptions as TlsOptions } from 'node:https';

/** Where and how a port listens. */
export interface HttpListenOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Serve TLS with these options (cert, key, ...). */
  readonly tls?: TlsOptions;
}

/**
 * Starts an HTTP(S) server for a WebSocket port and resolves once it listens.
 * @throws the server's `error` (e.g. `EADDRINUSE`) if it cannot listen
 */
export async function listenHttp(options: HttpListenOptions): Promise<HttpServer | HttpsServer> {
  const server = options.tls ? createHttpsServer(options.tls) : createHttpServer();
  // Plain HTTP requests get a clear refusal instead of hanging.
  server.on('request', (_request, response) => response.writeHead(426, { Connection: 'close' }).end('WebSocket only\n'));
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** Stops `server` listening and resolves once its connections are gone. */
export function closeHttp(server: HttpServer | HttpsServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
