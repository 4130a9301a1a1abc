/**
 * Connecting a node, a control node or an agent to NATS, with the security issue's rules: TLS (`tls://`) to any
 * server that is not loopback unless the operator says `--insecure`; credentials from a file that only the
 * owner can read (an nkey seed, or a `.creds` file of a JWT account): the seed never travels, NATS gets a
 * signature of its nonce; and every failure worded for an operator, at start-up and after.
 *
 * @module
 */
import { connect, credsAuthenticator, nkeyAuthenticator, type Authenticator, type NatsConnection } from '@nats-io/transport-node';
import { NATS_RECONNECT_WAIT_MS } from '../rpc/limits.js';
import { describeConnectError, InsecureTransportError, requireSecureUrl, type TransportSchemes } from '../rpc/transport-security.js';

/** NATS: `tls://`, or `nats://` in the clear. */
const NATS_SCHEMES: TransportSchemes = Object.freeze({
  secure: 'tls',
  plain: 'nats',
  advice: "the server's `tls { cert_file, key_file }`; trust a private CA with --nats-ca FILE",
});
import { readSecretFile } from '../runtime/read-file.js';

/** Options of {@link connectNats}. */
export interface ConnectNatsOptions {
  /** Server URLs (`tls://HOST:PORT`; `nats://` to loopback, or anywhere with `insecure`). */
  readonly servers: readonly string[];
  /** The client's name, as the servers' monitoring shows it. */
  readonly name: string;
  /** File holding an nkey seed (`SU…`) or a `.creds` file; without it, no credentials are sent. */
  readonly credsFile?: string;
  /** PEM file of the CA (or certificate) to trust for the servers' TLS. */
  readonly caFile?: string;
  /** Allow `nats://` to servers that are not loopback. @default false */
  readonly insecure?: boolean;
  /** Told of the connection going down, coming back, and of server errors (e.g. a permission refused). */
  readonly log?: (event: NatsConnectionEvent) => void;
}

/** Something that happened to a NATS connection, for the operator's log. */
export interface NatsConnectionEvent {
  /** `nats-disconnected`, `nats-reconnected` or `nats-error`. */
  readonly event: 'nats-disconnected' | 'nats-reconnected' | 'nats-error';
  /** The server, or the error. */
  readonly detail: string;
}

/**
 * Checks, before anything is opened, that each URL is `tls://`, or `nats://` to loopback (or `insecure`).
 * @throws InsecureTransportError otherwise
 */
export function requireSecureNatsUrls(servers: readonly string[], insecure = false): void {
  if (servers.length === 0) throw new InsecureTransportError('no NATS server given (expected tls://HOST:PORT,...)');
  for (const url of servers) requireSecureUrl(url, insecure, NATS_SCHEMES);
}

/** Reads a credentials file: a `.creds` file (JWT and seed) or a bare nkey seed. */
async function authenticatorOf(path: string): Promise<Authenticator> {
  const bytes = await readSecretFile(path, 'NATS credentials');
  const text = bytes.toString('utf8');
  if (text.includes('BEGIN NATS USER JWT')) return credsAuthenticator(new Uint8Array(bytes));
  return nkeyAuthenticatorOf(text.trim(), path);
}

function nkeyAuthenticatorOf(seed: string, path: string): Authenticator {
  if (!/^SU[A-Z2-7]{50,}$/.test(seed)) {
    throw new Error(`${path} is not NATS credentials: expected a user nkey seed (SU…) or a .creds file`);
  }
  return nkeyAuthenticator(new TextEncoder().encode(seed));
}

/** Words a failure to connect for an operator. */
export function describeNatsError(error: unknown, servers: readonly string[]): string {
  const e = error instanceof Error ? error : new Error(String(error));
  const text = `${e.message} ${e.cause instanceof Error ? e.cause.message : ''}`;
  if (/authorization|authentication/i.test(text)) {
    return `NATS at ${servers.join(',')} refused the credentials (${e.message}): check --creds and the server's authorization block`;
  }
  const cause = e.cause instanceof Error ? (e.cause as NodeJS.ErrnoException) : undefined;
  const code = (e as NodeJS.ErrnoException).code ?? cause?.code;
  if (code === 'ECONNREFUSED' || /refused/i.test(text)) return `cannot reach NATS at ${servers.join(',')}: connection refused`;
  if (cause) return `cannot connect to NATS at ${servers.join(',')}: ${describeConnectError(cause, '--nats-ca')}`;
  return `cannot connect to NATS at ${servers.join(',')}: ${describeConnectError(e, '--nats-ca')}`;
}

/**
 * Connects to NATS; the connection reconnects by itself, for ever, every {@link NATS_RECONNECT_WAIT_MS}.
 * @throws InsecureTransportError before anything is opened, for a plain URL off loopback
 * @throws Error worded for the operator when no server can be reached or the credentials are refused
 */
export async function connectNats(options: ConnectNatsOptions): Promise<NatsConnection> {
  requireSecureNatsUrls(options.servers, options.insecure);
  const authenticator = options.credsFile === undefined ? undefined : await authenticatorOf(options.credsFile);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: [...options.servers],
      name: options.name,
      ...(authenticator && { authenticator }),
      ...(options.caFile !== undefined && { tls: { caFile: options.caFile } }),
      reconnectTimeWait: NATS_RECONNECT_WAIT_MS,
      reconnectJitter: 100,
      reconnectJitterTLS: 250,
      maxReconnectAttempts: -1,
      timeout: 10_000,
    });
  } catch (error) {
    throw new Error(describeNatsError(error, options.servers), { cause: error });
  }
  if (options.log) void logStatus(nc, options.log);
  return nc;
}

async function logStatus(nc: NatsConnection, log: (event: NatsConnectionEvent) => void): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') log({ event: 'nats-disconnected', detail: status.server });
    else if (status.type === 'reconnect') log({ event: 'nats-reconnected', detail: status.server });
    else if (status.type === 'error') log({ event: 'nats-error', detail: status.error.message });
  }
}
