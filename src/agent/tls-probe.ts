/**
 * Whether a port speaks TLS: the one check that tells "`ws://` to a TLS port" from any other hang-up, so the
 * agent can say "write wss://" instead of retrying for ever.
 *
 * @module
 */
import { connect } from 'node:tls';

/**
 * Tries a TLS handshake with `host:port` (the certificate is not checked: only whether TLS is spoken; nothing is
 * sent after the handshake). Resolves true if it completes, false on any error or after `deadlineMs`.
 */
export function servesTls(host: string, port: number, deadlineMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, rejectUnauthorized: false, ...(/^[\d.:[\]]+$/.test(host) ? {} : { servername: host }) });
    const done = (answer: boolean): void => {
      clearTimeout(deadline);
      socket.destroy();
      resolve(answer);
    };
    const deadline = setTimeout(() => done(false), deadlineMs);
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}
