/**
 * Why an agent's attempt at its node ended, worded for an operator, and whether retrying can help. Network
 * trouble (refused, unreachable, reset, the node restarting) is retried with backoff; what only a change of
 * configuration fixes (the key or guid, the certificate, the URL, a guid already in use) is permanent: the
 * agent stops and says what to change, instead of retrying for ever as if it were a network blip.
 *
 * @module
 */
import { describeConnectError, isCertificateError } from '../rpc/transport-security.js';
import { CLOSE_CODES } from '../rpc/close-codes.js';

/** What the agent saw of one attempt, from the socket's open to its close. */
export interface AttemptOutcome {
  /** The node's URL, as given. */
  readonly url: string;
  /** The guid the agent said hello with. */
  readonly guid: string;
  /** The CLI option naming the trusted certificate, when one was given (`--ca FILE`). */
  readonly ca?: string;
  /** WebSocket close code (1006: the socket failed or was dropped without a close). */
  readonly code: number;
  /** WebSocket close reason. */
  readonly reason: string;
  /** The socket's error, if it failed. */
  readonly error?: Error;
  /** The node had accepted the hello (the link had been up). */
  readonly welcomed: boolean;
  /** The peer's first frame was not a challenge: it is not a node's sentry port. */
  readonly notChallenged: boolean;
  /** The peer answered the hello with a query port's `{"type":"error"}`: it is a node's query port. */
  readonly queryPortAnswer: boolean;
  /** For a `ws://` URL whose peer hung up: whether the port answers a TLS handshake (see tls-probe.ts). */
  readonly servesTls?: boolean;
}

/** The worded cause of a failed attempt. */
export interface LinkFailure {
  /** One line: the cause and what to do. */
  readonly message: string;
  /** Retrying cannot help: the agent stops (the CLI exits 1). */
  readonly permanent: boolean;
}

/** A `ws://` attempt the peer hung up on before answering the upgrade: a TLS port does that (see tls-probe.ts). */
export function needsTlsProbe(url: string, error: Error | undefined): boolean {
  if (!url.startsWith('ws://') || error === undefined) return false;
  return errorCode(error) === 'ECONNRESET' || error.message === 'socket hang up';
}

/** Words an attempt's end; see the module comment for what is permanent. */
export function describeLinkFailure(o: AttemptOutcome): LinkFailure {
  const permanent = (message: string): LinkFailure => ({ message, permanent: true });
  const transient = (message: string): LinkFailure => ({ message, permanent: false });
  if (o.queryPortAnswer) {
    return permanent(`wrong endpoint: ${o.url} is a node's query port, not its sentry port (the port the node prints as "listening on")`);
  }
  if (o.notChallenged) return permanent(`wrong endpoint: ${o.url} is not a node's sentry port (it did not open with a challenge)`);
  if (o.code === CLOSE_CODES.policy && o.reason === 'authentication failed') {
    return permanent(
      `authentication failed for guid ${o.guid}: wrong key, or the node does not know this guid (its --keys file holds guid → key)`,
    );
  }
  if (o.code === CLOSE_CODES.duplicateGuid) {
    return permanent(`${o.reason}: give each host its own --guid (the default is the host name, which cloned machines share)`);
  }
  const code = errorCode(o.error);
  if (o.error && isCertificateError(code)) {
    const worded = describeConnectError(o.error);
    if (o.ca === undefined || code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID' || code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      return permanent(`cannot connect to ${o.url}: ${worded}`);
    }
    return permanent(
      `cannot connect to ${o.url}: the node's TLS certificate is not signed by ${o.ca} (${o.error.message}): give --ca the certificate the node serves (its --tls-cert) or the CA that signed it`,
    );
  }
  if (o.error && (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO')) {
    return permanent(
      `cannot connect to ${o.url}: the port does not speak TLS: write ws://${o.url.slice('wss://'.length)}, or give the node --tls-cert/--tls-key`,
    );
  }
  if (o.servesTls === true) {
    return permanent(`cannot connect to ${o.url}: the port serves TLS: write wss://${o.url.slice('ws://'.length)}`);
  }
  if (o.error) return transient(`cannot connect to ${o.url}: ${networkCause(o.error, code)}`);
  const closed = `${o.code}${o.reason ? ` ${o.reason}` : ''}`;
  return transient(
    o.welcomed ? `disconnected from ${o.url} (${closed})` : `cannot connect to ${o.url}: the node closed the link (${closed})`,
  );
}

/** A network error's cause, with the question an operator asks next. */
function networkCause(error: Error, code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the node running, and listening on this port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name does not resolve (${error.message})`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `the host is unreachable (${error.message})`;
    default:
      return error.message === 'socket hang up' ? 'the node hung up before answering' : describeConnectError(error);
  }
}

/** A Node system error's code (`ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`, …), or ''. */
function errorCode(error: Error | undefined): string {
  const code: unknown = error && 'code' in error ? error.code : undefined;
  return typeof code === 'string' ? code : '';
}
