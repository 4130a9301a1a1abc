import type { Command } from 'commander';
import type { NatsConnection } from '@nats-io/transport-node';
import type { NatsConnectionEvent } from '../nats/connect-nats.js';
import { DIRECT_NODE, NODE_NAME_PATTERN } from '../nats/subjects.js';
import { INSECURE_HELP } from './tls-options.js';

/** The NATS options of `node`, `control` and `agent`. */
export interface NatsArguments {
  readonly nats?: string;
  readonly creds?: string;
  readonly natsCa?: string;
  readonly insecure?: boolean;
}

/** Adds `--nats`, `--creds`, `--nats-ca` (and `--insecure`, unless the mode has it already) to a mode's command. */
export const NATS_HELP = Object.freeze({
  addTo(program: Command, withInsecure = true): void {
    program
      .option('--nats <urls>', 'NATS servers of the cluster, comma-separated: tls://HOST:PORT (nats:// to loopback, or with --insecure)')
      .option('--creds <file>', 'NATS credentials: an nkey seed file from `sentry-query nats-user`, or a .creds file (mode 0600)')
      .option('--nats-ca <file>', "PEM certificate (or CA) to trust for the NATS servers' TLS");
    if (withInsecure) program.option('--insecure', INSECURE_HELP);
  },
});

/** A role running on NATS, and how to stop it. */
export interface NatsRoleHandle<Role> {
  /** The role. */
  readonly role: Role;
  /** The server connected to first. */
  readonly server: string;
  /** Stops the role, then drains the connection (so its goodbye goes out), at most 2 s. */
  close(): Promise<void>;
}

/**
 * Checks a data node's name.
 * @throws Error naming what a name may be
 */
export function checkNodeName(name: string): void {
  if (!NODE_NAME_PATTERN.test(name) || name === DIRECT_NODE) {
    throw new Error(`--name: a node name is letters, digits, - and _ (at most 64), and not "${DIRECT_NODE}": ${JSON.stringify(name)}`);
  }
}

/**
 * Connects to NATS as the arguments say and starts a role on the connection.
 * @throws Error worded for the operator (insecure URL, unreadable credentials, unreachable NATS, refused credentials, a refused subscription)
 */
export async function startNatsRole<Role extends { close(): void }>(
  args: NatsArguments,
  clientName: string,
  log: (event: NatsConnectionEvent) => void,
  start: (nc: NatsConnection) => Promise<Role>,
): Promise<NatsRoleHandle<Role>> {
  const { connectNats } = await import('../nats/connect-nats.js');
  const servers = (args.nats ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  const nc = await connectNats({
    servers,
    name: clientName,
    ...(args.creds !== undefined && { credsFile: args.creds }),
    ...(args.natsCa !== undefined && { caFile: args.natsCa }),
    insecure: args.insecure === true,
    log,
  });
  // NATS answers a forbidden subscribe or publish with an error later, not at the call: collect what comes back
  // while the role starts, and refuse to run a role whose credentials do not let it work (e.g. another node's).
  const refusals: string[] = [];
  let starting = true;
  const watch = (async () => {
    for await (const status of nc.status()) {
      // Only while starting: afterwards the connection's own log (connect-nats.ts) reports errors.
      if (!starting) break;
      if (status.type === 'error' && /permission/i.test(status.error.message)) refusals.push(status.error.message);
    }
  })();
  let role: Role;
  try {
    role = await start(nc);
    // The role's first publishes go out at the end of this turn (outbox.ts); then a round trip brings back
    // any refusal of them, which the server sends before its answer to the flush.
    await new Promise((resolve) => setImmediate(resolve));
    await nc.flush();
    await new Promise((resolve) => setImmediate(resolve));
    starting = false;
    if (refusals.length > 0) {
      role.close();
      throw new Error(`NATS refused what the ${clientName} must do (${refusals[0]}): are these the credentials of the ${clientName}?`);
    }
  } catch (error) {
    starting = false;
    await nc.close();
    await watch;
    throw error;
  }
  return {
    role,
    // getServer() is HOST:PORT; the scheme says whether it is TLS (all URLs given share one, or NATS refuses).
    server: `${servers[0]?.startsWith('tls:') || args.natsCa !== undefined ? 'tls' : 'nats'}://${nc.getServer()}`,
    close: async () => {
      role.close();
      const drained = nc.drain().catch(() => undefined);
      const timer = new Promise((resolve) => setTimeout(resolve, 2_000).unref());
      await Promise.race([drained, timer]);
      if (!nc.isClosed()) await nc.close();
    },
  };
}
