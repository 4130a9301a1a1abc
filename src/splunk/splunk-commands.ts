/**
 * The commands the Splunk app has, by their Splunk names, and what each tells splunkd at `getinfo`.
 *
 * Splunk command names are lowercase letters and digits only, so `sentry-netstat` is `sentrynetstat`. The
 * commands are ours, unchanged (same options, fields, errors and `_error`); only their name and their
 * configuration for splunkd are Splunk's.
 *
 * Why `type: "stateful"` for the two RPC commands (the protocol's types: `streaming`, `stateful`, `events`,
 * `reporting`):
 * - `streaming` commands are distributable: splunkd may run them on the indexers, which hold no sentry
 *   credentials and must not call remote hosts.
 * - `reporting` (transforming) commands may be run again on partial results for previews and split in a
 *   map/reduce: every preview would call every sentry again.
 * - `stateful` runs once, on the search head, and is fed every input record in order, chunk after chunk: what a
 *   command that sends one RPC per record needs.
 * No `required_fields`: the command needs `guid`, but a failed record goes out whole with `_error` (the reference
 * page's contract), so it must get every field.
 *
 * `sentrylist` is the generating command a Splunk search starts with (`| sentrylist | fields guid | sentrynetstat`),
 * our `sentry`; `generating: true` and `stateful` keep it on the search head, as splunklib declares a generating
 * command that is not `distributed`.
 *
 * @module
 */
import { sentryNetstatCommand } from '../commands/sentry-netstat.js';
import { sonarSentryNetstatCommand } from '../commands/sonar-sentry-netstat.js';
import { ERRORS } from '../errors/codes.js';
import { QueryParseError } from '../errors/query-parse-error.js';
import { sentryCommand } from '../host/commands/sentry.js';
import type { CommandParser } from '../runtime/command.js';

/** One command of the Splunk app. */
export interface SplunkCommand {
  /** The name in Splunk searches (and the stanza of commands.conf). */
  readonly name: string;
  /** Our command it runs. */
  readonly parser: CommandParser;
  /** The `getinfo` answer's configuration (see the module comment). */
  readonly configuration: Readonly<Record<string, unknown>>;
  /** Whether it generates records (starts a search) rather than reading them. */
  readonly generating: boolean;
}

/**
 * `sentry` lists the fleet (host names, addresses) through the cluster's credentials: in Splunk, it takes the same
 * capability as the RPC commands, so no user without it learns the inventory.
 */
const sentryListParser: CommandParser = Object.freeze<CommandParser>({
  ...sentryCommand,
  errors: [...sentryCommand.errors, ERRORS.NO_SENTRY_RPC_PERMISSION],
  parse: (ctx, argText) => {
    if (!ctx.session.isAdmin) throw new QueryParseError(ERRORS.NO_SENTRY_RPC_PERMISSION, 0);
    return sentryCommand.parse(ctx, argText);
  },
});

/** The app's commands by Splunk name. */
export const SPLUNK_COMMANDS: Readonly<Record<string, SplunkCommand>> = Object.freeze({
  sentrynetstat: { name: 'sentrynetstat', parser: sentryNetstatCommand, configuration: { type: 'stateful' }, generating: false },
  sonarsentrynetstat: {
    name: 'sonarsentrynetstat',
    parser: sonarSentryNetstatCommand,
    configuration: { type: 'stateful' },
    generating: false,
  },
  sentrylist: { name: 'sentrylist', parser: sentryListParser, configuration: { generating: true, type: 'stateful' }, generating: true },
});

/** The Splunk command named `name`, if the app has one (never an inherited property). */
export function splunkCommandNamed(name: string): SplunkCommand | undefined {
  return Object.hasOwn(SPLUNK_COMMANDS, name) ? SPLUNK_COMMANDS[name] : undefined;
}
