import type { CliIo } from './cli-io.js';

/** One mode of `sentry-query`: takes the arguments after its name and the streams, resolves with the exit code. */
export type Mode = (argv: readonly string[], io: CliIo) => Promise<number>;

/** A mode besides the query: what it does (for the help) and how to load it. */
export interface ModeEntry {
  /** One line for `sentry-query --help`. */
  readonly summary: string;
  /**
   * Loads the mode. Only the module of the mode asked for is loaded: `agent --once` is a one-shot process whose
   * start-up counts, and must not pay for ws, the query engine or the cluster code.
   */
  readonly load: () => Promise<Mode>;
}

/** `sentry-query MODE ...`; anything else on the command line is a query. */
export const MODES: Readonly<Record<string, ModeEntry>> = {
  agent: {
    summary: "run this host's sentry (--connect, --nats), or print its connections once (--once)",
    load: async () => (await import('./run-agent.js')).runAgent,
  },
  node: {
    summary: 'hold sentries (and take queries, or serve them to a cluster on NATS)',
    load: async () => (await import('./run-node.js')).runNode,
  },
  control: {
    summary: 'run the control node of a cluster on NATS (sonar-sentry-netstat)',
    load: async () => (await import('./run-control.js')).runControl,
  },
  'nats-user': {
    summary: 'issue a NATS user (nkey seed and server entry) for a node, control node or direct agent',
    load: async () => (await import('./run-nats-user.js')).runNatsUser,
  },
  keygen: {
    summary: "print a new random sentry key, or add one to a node's keys file (--guid, --keys)",
    load: async () => (await import('./run-keygen.js')).runKeygen,
  },
  splunk: {
    summary: "run one of the Splunk app's commands (sentrynetstat, sonarsentrynetstat, sentrylist) on stdin/stdout, as splunkd does",
    load: async () => (await import('./run-splunk.js')).runSplunk,
  },
  simulate: {
    summary: 'connect a fleet of simulated sentries to a node, for tests and load',
    load: async () => (await import('./run-simulate.js')).runSimulate,
  },
};

/** The mode named `name`, if there is one (never an inherited property: `constructor` is a query). */
export function modeNamed(name: string | undefined): ModeEntry | undefined {
  return name !== undefined && Object.hasOwn(MODES, name) ? MODES[name] : undefined;
}
