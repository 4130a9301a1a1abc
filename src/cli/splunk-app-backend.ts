import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { clusterConnector } from '../runtime/cluster-connector.js';
import { SENTRY_RPC_PARALLEL_KEY } from '../runtime/sentry-rpc-parallel.js';
import { hostConfigFrom } from '../runtime/session.js';
import { defaultAppDir, loadAppSettings, type AppSettings } from '../splunk/app-settings.js';
import type { SessionBackend } from '../splunk/session-backend.js';
import { fetchCaller, hasCapability, SENTRY_RPC_CAPABILITY } from '../splunk/splunkd-capabilities.js';
import { eventsTo } from './event-levels.js';
import { jsonLinesLogger, parseLogLevel } from './logger.js';
import { startNatsRole, type NatsArguments } from './nats-options.js';

/** Where the app backend reads its settings and writes its log. */
export interface AppBackendOptions {
  /** The app folder; @default `$SENTRY_APP_DIR`, else the folder of the bundled launcher (`<app>/bin/lib/…`). */
  readonly appDir?: string | undefined;
  /** Least severe log events written (to stderr: splunkd keeps it in the search's search.log). */
  readonly logLevel: string;
  readonly stderr: Writable;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The backend of the Splunk app (`sentry-query splunk COMMAND` without `--scenario`):
 * - settings from the app's `default/` then `local/sentry.conf` (src/splunk/app-settings.ts), read before the
 *   session, so a mistake there is the search's error at once;
 * - the caller is whoever splunkd's REST API says owns the search's session key, and may call sentries when they
 *   hold the capability `run_sentry_rpc` (the app's authorize.conf grants it to the admin role): 23100 otherwise;
 * - the sentries are reached through the NATS cluster with the control role's credentials, at the first execute.
 *
 * @throws Error for the operator: unreadable or invalid settings, no cluster configured
 */
export async function appBackend(options: AppBackendOptions): Promise<SessionBackend> {
  const env = options.env ?? process.env;
  // Bundled, this module is <app>/bin/lib/sentry-query.mjs.
  const appDir = options.appDir ?? defaultAppDir(import.meta.url, env);
  const settings = await loadAppSettings(appDir, env);
  const nats = natsArgumentsOf(settings);
  if (nats === undefined) {
    throw new Error(
      `no cluster configured: set nats_url (and nats_creds, nats_ca) in [cluster] of ${appDir}/local/sentry.conf (see README/sentry.conf.spec)`,
    );
  }
  const logger = jsonLinesLogger({ write: (line) => void options.stderr.write(line), level: parseLogLevel(options.logLevel) });
  const log = eventsTo(logger);
  return {
    config: hostConfigFrom({ [SENTRY_RPC_PARALLEL_KEY]: settings.rpcParallel }),
    caller: async (searchInfo, signal) => {
      const { splunkd_uri: splunkdUri, session_key: sessionKey } = searchInfo;
      if (typeof splunkdUri !== 'string' || typeof sessionKey !== 'string' || sessionKey === '') {
        throw new Error(`splunkd sent no splunkd_uri and session_key: the capability ${SENTRY_RPC_CAPABILITY} cannot be checked`);
      }
      const caller = await fetchCaller({ splunkdUri, sessionKey, signal, ...(await splunkdCa(settings)) });
      return { user: caller.username, isAdmin: hasCapability(caller, SENTRY_RPC_CAPABILITY) };
    },
    connect: async () => {
      const handle = await startNatsRole(nats, 'control role (Splunk search head)', log, async (nc) => {
        const { NatsCluster } = await import('../nats/nats-cluster.js');
        const cluster = new NatsCluster({ nc, log });
        // Every node and direct agent that answered the start-up ping is known before the first record.
        await cluster.directory.settled();
        return cluster;
      });
      // The session closes it when the search ends.
      return { sentries: clusterConnector(handle.role), cluster: handle.role, close: () => handle.close() };
    },
  };
}

async function splunkdCa(settings: AppSettings): Promise<{ ca?: Buffer }> {
  if (settings.splunkdCa === undefined) return {};
  try {
    return { ca: await readFile(settings.splunkdCa) };
  } catch (error) {
    throw new Error(`cannot read splunkd's CA (ca_file in [splunkd] of sentry.conf) ${settings.splunkdCa}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * The settings' cluster as the NATS options of the CLI (`--nats`, `--creds`, `--nats-ca`, `--insecure`), for
 * `startNatsRole`; undefined when no cluster is configured.
 *
 * @example
 * ```ts
 * natsArgumentsOf({ nats: { servers: 'tls://a:4222', insecure: false }, rpcParallel: 100, sources: [] });
 * // { nats: 'tls://a:4222', insecure: false }
 * ```
 */
export function natsArgumentsOf(settings: AppSettings): NatsArguments | undefined {
  const nats = settings.nats;
  if (nats === undefined) return undefined;
  return {
    nats: nats.servers,
    ...(nats.creds !== undefined && { creds: nats.creds }),
    ...(nats.ca !== undefined && { natsCa: nats.ca }),
    insecure: nats.insecure,
  };
}
