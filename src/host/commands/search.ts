import { ERRORS } from '../../errors/codes.js';
import type { CommandHelp, CommandParser } from '../../runtime/command.js';
import { evaluate } from '../expression/evaluate.js';
import { parseArguments } from '../expression/parse-arguments.js';
import { RowMapCommand } from './row-map-command.js';
import { builtinProperties } from './builtin-properties.js';

const help: CommandHelp = {
  description:
    'Keeps the records for which the expression is true. Operators: == != < <= > >= and or not, parentheses; ' +
    'a * in a string compared with == or != matches any run of characters; an ipaddr equals its text form.',
  syntax: 'search EXPRESSION',
  properties: builtinProperties('filtering', { perRecord: true }),
  options: [],
  inputFields: [],
  outputFields: [],
  runtimeErrors: [],
};

/**
 * `search EXPR`: passes on the records for which `EXPR` is true.
 *
 * @example
 * ```ts
 * await host.query('sentry | fields guid | sentry-netstat | search state == "LIST*" and local_ip != "127.0.0.1"');
 * ```
 */
export const searchCommand: CommandParser = Object.freeze<CommandParser>({
  name: 'search',
  help,
  errors: [ERRORS.INVALID_ARGUMENTS, ERRORS.NESTING_TOO_DEEP],
  parse: (_ctx, argText) => {
    const expr = parseArguments('search', argText, 'Expression');
    // Only a true result keeps the record: false, null and non-boolean values drop it.
    return new RowMapCommand((row) => (evaluate(expr, row) === true ? row : undefined));
  },
});
