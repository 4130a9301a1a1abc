/**
 * Every error code of the plugin and of the host (src/host), in one catalogue (as fastify keeps its codes).
 *
 * 231xx are the plugin's parse errors: 23100 and 23101 come from the command's reference page, the rest are
 * ours. 900xx are the host's own query errors (unknown command, pipeline syntax …).
 * `test/errors/errors-documented.test.ts` fails if a code here is missing from docs/errors.md.
 *
 * @module
 */
import { didYouMean } from './closest-names.js';

/** One entry of the catalogue: a stable code, how its message reads, and what it means. */
export interface ErrorCode<Args extends unknown[] = []> {
  /** Numeric code, printed before the message (e.g. `23101`). */
  readonly code: number;
  /** Stable identifier of the entry (the key in {@link ERRORS}). */
  readonly id: string;
  /** Renders the message; `offset` is where in the query text the error was found. */
  readonly render: (offset: number, ...args: Args) => string;
  /** One line for the documentation: when the error happens. */
  readonly description: string;
}

function define<Args extends unknown[] = []>(
  id: string,
  code: number,
  message: string | ((offset: number, ...args: Args) => string),
  description: string,
): ErrorCode<Args> {
  const render = typeof message === 'string' ? () => message : message;
  return Object.freeze({ id, code, render, description });
}

/** A value the user typed, quoted for a message: JSON escapes, and at most 40 characters of it. */
function quoteValue(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** ` The options are: a, b.` (or ` It takes no options.`): what a command with an unknown option does take. */
function optionList(known: readonly string[] | undefined): string {
  if (known === undefined) return '';
  const names = [...new Set(known)];
  return names.length === 0 ? ' It takes no options.' : ` The options are: ${names.join(', ')}.`;
}

/** The catalogue. Keys are stable identifiers; codes never change once released. */
export const ERRORS = Object.freeze({
  /** 23100: the user is not an administrator. */
  NO_SENTRY_RPC_PERMISSION: define(
    'NO_SENTRY_RPC_PERMISSION',
    23100,
    'No permission to call sentry RPC.',
    'A user without administrator privileges ran the command.',
  ),
  /**
   * 23101: the `timeout` option is not an integer in 1–600. Rendered without a value, the reference page's
   * message; with one, that message and then the value given (`Got "0".`), so the reference's text stays a prefix.
   */
  INVALID_SENTRY_RPC_TIMEOUT: define<[value?: string]>(
    'INVALID_SENTRY_RPC_TIMEOUT',
    23101,
    (_offset, value) =>
      `Invalid sentry RPC timeout option value. Use a value between 1 and 600.${value === undefined ? '' : ` Got ${quoteValue(value)}.`}`,
    'The timeout option value is not an integer or is outside the range 1–600.',
  ),
  /** 23102: an option the command does not have; given the command's options, the message lists them and the closest. */
  UNKNOWN_OPTION: define<[name: string, known?: readonly string[]]>(
    'UNKNOWN_OPTION',
    23102,
    (offset, name, known) => `Unknown option '${name}' at offset ${offset}.${didYouMean(name, known ?? [])}${optionList(known)}`,
    'The command was given an option it does not have.',
  ),
  /** 23103: the same option given twice. */
  DUPLICATE_OPTION: define<[name: string]>(
    'DUPLICATE_OPTION',
    23103,
    (offset, name) => `Option '${name}' is given more than once (again at offset ${offset}).`,
    'The same option appears twice; the command will not guess which one was meant.',
  ),
  /** 23104: `logpresso.core.sentry_rpc_parallel` is not a positive integer. */
  INVALID_SENTRY_RPC_PARALLEL: define<[value: string, source: string]>(
    'INVALID_SENTRY_RPC_PARALLEL',
    23104,
    (_offset, value, source) =>
      `Invalid logpresso.core.sentry_rpc_parallel value '${value}' (from ${source}). Use an integer from 1 to 1000000.`,
    'The host config key or environment variable logpresso.core.sentry_rpc_parallel is not a positive integer.',
  ),
  /** 23105: the option text is not a list of `name=value` pairs. */
  OPTION_SYNTAX: define<[found: string]>(
    'OPTION_SYNTAX',
    23105,
    (offset, found) => `Invalid option syntax at offset ${offset}: expected name=value, found ${found}.`,
    'The text after the command name is not a list of name=value options.',
  ),

  /**
   * 23106: a boolean option (sentry-netstat's `detail`) is not `t`, `f`, `true` or `false` (any case). The
   * message names the option and the value given (`Invalid detail option value. Use t or f. Got "yes".`).
   */
  INVALID_BOOLEAN_OPTION: define<[name: string, value: string]>(
    'INVALID_BOOLEAN_OPTION',
    23106,
    (_offset, name, value) => `Invalid ${name} option value. Use t or f. Got ${quoteValue(value)}.`,
    'A boolean option (detail) is not t, f, true or false.',
  ),

  /** 90000 (host): the query is not a pipeline of commands. */
  QUERY_SYNTAX: define<[detail: string]>(
    'QUERY_SYNTAX',
    90000,
    (offset, detail) => `Query syntax error at offset ${offset}: ${detail}.`,
    'host: the query is not a pipeline of commands separated by |.',
  ),
  /** 90001 (host): no command of that name is registered; given the registered names, the closest are suggested. */
  UNKNOWN_COMMAND: define<[name: string, known?: readonly string[]]>(
    'UNKNOWN_COMMAND',
    90001,
    (offset, name, known = []) => `Unknown command '${name}' at offset ${offset}.${didYouMean(name, known)}`,
    'host: no command of that name is registered.',
  ),
  /** 90002 (host): a command in a position it cannot take. */
  COMMAND_POSITION: define<[name: string, rule: string]>(
    'COMMAND_POSITION',
    90002,
    (offset, name, rule) => `Command '${name}' at offset ${offset} ${rule}.`,
    'host: a driver command (sentry, json) not first, or a command that needs input placed first.',
  ),
  /** 90003 (host): a built-in command given arguments it cannot read. */
  INVALID_ARGUMENTS: define<[name: string, detail: string]>(
    'INVALID_ARGUMENTS',
    90003,
    (offset, name, detail) => `Invalid arguments for '${name}' at offset ${offset}: ${detail}.`,
    'host: a built-in command (json, fields, search, stats, sort, limit, eval) was given arguments it cannot read.',
  ),
  /** 90004 (host): an expression (or a json command's text) nested deeper than the host allows. */
  NESTING_TOO_DEEP: define<[name: string, limit: number]>(
    'NESTING_TOO_DEEP',
    90004,
    (offset, name, limit) => `Arguments of '${name}' nested too deeply at offset ${offset}: at most ${limit} levels.`,
    'host: an expression of search or eval nests parentheses, not or unary minus (or the JSON text of json nests arrays and objects) deeper than the limit.',
  ),
  /** 90005 (host): a comparison between a field of a known type and a literal it can never match. */
  TYPE_MISMATCH: define<[name: string, detail: string]>(
    'TYPE_MISMATCH',
    90005,
    (offset, name, detail) => `Type mismatch in '${name}' at offset ${offset}: ${detail}.`,
    'host: search, where or eval compares a field whose type a command declares with a literal of another type (local_port == "80"), which would match nothing.',
  ),
});

/** Every entry of the catalogue, for documentation and tests. */
export const ALL_ERROR_CODES: readonly ErrorCode<never[]>[] = Object.values(ERRORS);
