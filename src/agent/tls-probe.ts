/**
 * Whether a port speaks TLS: the one check that tells "`ws://` to a TLS port" from any other hang-up, so the
 * agent can say "write wss://" instead of retrying for ever.
 *
 * @module
 */
import { connect } from 'node:tls';

/**
 * Tries a TLS handshake with `host:port` (the certificate is not checked: only whether TLS is spoken; nothing is
 * sent after the handshake). Resolves true if it completes, false on any error, after `deadlineMs`, or once
 * `signal` aborts (the agent stopped); the socket and timer are released in every case.
 */
export function servesTls(host: string, port: number, deadlineMs: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const socket = connect({ host, port, rejectUnauthorized: false, ...(/^[\d.:[\]]+$/.test(host) ? {} : { servername: host }) });
    const done = (answer: boolean): void => {
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(answer);
    };
    const deadline = setTimeout(() => done(false), deadlineMs);
    const onAbort = (): void => done(false);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}
