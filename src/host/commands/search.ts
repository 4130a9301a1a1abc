import { ERRORS } from '../../errors/codes.js';
import type { CommandHelp, CommandParser } from '../../runtime/command.js';
import { evaluate } from '../expression/evaluate.js';
import { parseExpression } from '../expression/parse-expression.js';
import { RowMapCommand } from './row-map-command.js';
import { builtinProperties } from './builtin-properties.js';

const help: CommandHelp = {
  description:
    'Keeps the records for which the expression is true. Operators: == != < <= > >= and or not, parentheses; ' +
    'a * in a string compared with == or != matches any run of characters; an ipaddr equals its text form, and ' +
    '== a network ("10.0.0.0/8") when it lies in it; cidrmatch("CIDR", FIELD) tests the same. See docs/query-language.md.',
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
    const expr = parseExpression('search', argText);
    // Only a true result keeps the record: false, null and non-boolean values drop it.
    return new RowMapCommand((row) => (evaluate(expr, row) === true ? row : undefined));
  },
});
