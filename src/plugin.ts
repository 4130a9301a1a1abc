/**
 * The plugin's one registration point: the commands a host is given, and the RPC methods a real sentry
 * answers. A new `sentry-*` command is added here once (its command, and its agent collector) and every
 * assembly (the CLI's hosts, sdk-mock's test host, the agent) picks it up.
 *
 * @module
 */
import { sentryNetstatCommand } from './commands/sentry-netstat.js';
import { sonarSentryNetstatCommand } from './commands/sonar-sentry-netstat.js';
import type { CommandParser } from './runtime/command.js';
import type { SentryMethods } from './runtime/sentry-methods.js';

/** The plugin's commands, in the order a host registers them. */
export const PLUGIN_COMMANDS: readonly CommandParser[] = Object.freeze([sentryNetstatCommand, sonarSentryNetstatCommand]);

/**
 * What a real agent answers: `netstat` → this host's connections; with params `{ detail: true }` (sentry-netstat
 * `detail=t`) each with its detail fields (process, owners, uid, inode, netns, container). Any other params
 * (`{}`, an unknown key, `detail` not `true`) are the plain answer. Collectors are imported on first call, so a
 * host that only assembles commands does not load them.
 */
export const AGENT_METHODS: SentryMethods = Object.freeze({
  netstat: async (params: Readonly<Record<string, unknown>>) =>
    (await (await import('./agent/collect-connections.js')).collectConnections({ detail: params['detail'] === true })).connections,
});

/**
 * The sentry methods a data node forwards for its control node: exactly those a real agent answers, so a new
 * `sentry-*` command stays one registration (its entry in {@link AGENT_METHODS}).
 */
export const SENTRY_METHOD_NAMES: readonly string[] = Object.freeze(Object.keys(AGENT_METHODS));
