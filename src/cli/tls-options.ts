/**
 * The TLS options every mode shares: `--tls-cert/--tls-key` for what it serves, `--ca` and `--insecure` for
 * what it connects to.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { ServerOptions as TlsOptions } from 'node:https';
import { isLoopbackHost } from '../rpc/transport-security.js';
import { readSecretFile, readTextFile } from '../runtime/read-file.js';
import { messageOf } from './message-of.js';

/** Help of `--ca`. */
export const CA_HELP = 'PEM certificate (or CA) to trust for wss://, e.g. a self-signed node';
/** Help of `--insecure`. */
export const INSECURE_HELP = 'allow plain ws:// (or nats://) to a host that is not loopback (traffic in the clear)';

async function readOption(option: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new Error(`${option}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? messageOf(error)})`, { cause: error });
  }
}

/** `--tls-cert FILE --tls-key FILE` as TLS server options, or undefined without them; throws if only one is given. */
export async function readServerTls(cert: string | undefined, key: string | undefined): Promise<TlsOptions | undefined> {
  if ((cert === undefined) !== (key === undefined)) throw new Error('--tls-cert and --tls-key go together');
  if (cert === undefined || key === undefined) return undefined;
  // The private key is a secret file (regular, 0600 or stricter); the certificate is public, but must be a file.
  return { cert: await readTextFile(cert, 'TLS certificate file'), key: await readSecretFile(key, 'TLS key file') };
}

/** `--ca FILE` as `ws` client options, or undefined without it. */
export async function readClientTls(ca: string | undefined): Promise<{ ca: Buffer } | undefined> {
  return ca === undefined ? undefined : { ca: await readOption('--ca', ca) };
}

/** The warning a server prints when it serves plain `ws://` on an address that is not loopback; or undefined. */
export function plainServingWarning(host: string, tls: TlsOptions | undefined): string | undefined {
  if (tls || isLoopbackHost(host)) return undefined;
  return (
    `warning: serving plain ws:// on ${host}: clients elsewhere refuse it unless given --insecure, and the traffic ` +
    'is readable on the network; give --tls-cert FILE --tls-key FILE\n'
  );
}
