/**
 * The transport rules every client follows: plain `ws://` only to loopback (anything else needs `wss://`, or an
 * explicit `insecure` choice), and TLS failures worded so an operator knows what to do.
 *
 * @module
 */
import { BlockList, isIP } from 'node:net';

/** A client refused to use a URL before opening any socket; the message says why and what to do. */
export class InsecureTransportError extends Error {
  /** Always `InsecureTransportError`. */
  override readonly name = 'InsecureTransportError';
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether `host` (a URL's hostname: an IP literal, IPv6 in brackets or not, or a name) is this machine's loopback. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  const family = isIP(bare);
  if (family === 0) return false;
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is checked against the IPv4 loopback by BlockList itself.
  return LOOPBACK.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** The two schemes of a transport, and how to get the secure one (for the refusal's message). */
export interface TransportSchemes {
  /** The TLS scheme, without `://`. */
  readonly secure: string;
  /** The plain scheme, without `://`. */
  readonly plain: string;
  /** What to do to use the secure scheme. */
  readonly advice: string;
}

/** WebSocket: the links of agents, simulators and query clients to a node. */
export const WEBSOCKET_SCHEMES: TransportSchemes = Object.freeze({
  secure: 'wss',
  plain: 'ws',
  advice: 'the node serves it with --tls-cert/--tls-key; trust a private certificate with --ca FILE',
});

/**
 * Checks, before any socket is opened, that `url` may be used: the secure scheme (`wss://`) always; the plain
 * one (`ws://`) only to loopback unless `insecure`. Throws {@link InsecureTransportError} (one line: what, why,
 * what to do) otherwise, or for a URL of neither scheme.
 */
export function requireSecureUrl(url: string, insecure = false, schemes: TransportSchemes = WEBSOCKET_SCHEMES): void {
  const { secure, plain } = schemes;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InsecureTransportError(`${url} is not a URL (expected ${plain}://HOST:PORT or ${secure}://HOST:PORT)`);
  }
  if (parsed.protocol === `${secure}:`) return;
  if (parsed.protocol !== `${plain}:`)
    throw new InsecureTransportError(`${url}: expected ${plain}:// or ${secure}://, not ${parsed.protocol}//`);
  if (insecure || isLoopbackHost(parsed.hostname)) return;
  throw new InsecureTransportError(
    `refusing plain ${plain}:// to ${parsed.hostname}, which is not loopback: anyone on the path could read and alter ` +
      `the traffic. Use ${secure}:// (${schemes.advice}), or give --insecure to send it in the clear anyway`,
  );
}

/** Node's codes for a certificate that did not verify against the trusted roots. */
const UNTRUSTED: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/**
 * Whether Node's error `code` says the server's certificate was refused (not trusted, not valid now, or for
 * another host): only another certificate or another trusted root fixes it, never a retry.
 */
export function isCertificateError(code: string): boolean {
  return UNTRUSTED.has(code) || code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID' || code === 'ERR_TLS_CERT_ALTNAME_INVALID';
}

/**
 * Why a connection to `url` failed, for an operator: a certificate that is not trusted, one that names another
 * host, a peer that does not speak TLS; else the error's own message.
 */
export function describeConnectError(error: Error, caOption = '--ca'): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (UNTRUSTED.has(code)) {
    return `the server's TLS certificate is not trusted (${error.message}): give ${caOption} FILE with the certificate that signed it`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return `the server's TLS certificate is not valid now (${error.message})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the server's TLS certificate is for another host (${error.message})`;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO') {
    return `the server does not speak TLS (${error.message}): is it a plain ws:// port?`;
  }
  return error.message;
}
