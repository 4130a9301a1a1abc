import { ERRORS } from '../../errors/codes.js';
import type { CommandHelp, CommandParser } from '../../runtime/command.js';
import { evaluate } from '../expression/evaluate.js';
import { parseArguments } from '../expression/parse-arguments.js';
import { checkFunctions } from '../expression/parse-expression.js';
import { RowMapCommand } from './row-map-command.js';
import { builtinProperties } from './builtin-properties.js';

const help: CommandHelp = {
  description:
    'Sets a field to the value of an expression (adding or overwriting it). The expression language is that of ' +
    'search plus + - * / %; + on two strings concatenates; other arithmetic on non-numbers, and division by zero, give null.',
  syntax: 'eval FIELD = EXPRESSION',
  properties: builtinProperties('transforming', { perRecord: true }),
  options: [],
  inputFields: [],
  outputFields: [],
  runtimeErrors: [],
};

/**
 * `eval f = EXPR`: sets field `f` of each record to the value of `EXPR`.
 *
 * @example
 * ```ts
 * await host.query('json "{\\"a\\": 2}" | eval b = a * 10 + 1');
 * ```
 */
export const evalCommand: CommandParser = Object.freeze<CommandParser>({
  name: 'eval',
  help,
  errors: [ERRORS.INVALID_ARGUMENTS, ERRORS.NESTING_TOO_DEEP],
  parse: (_ctx, argText) => {
    const { field, expr } = parseArguments('eval', argText, 'Eval');
    checkFunctions('eval', expr);
    // A new record: the input may be shared with other consumers.
    return new RowMapCommand((row) => ({ ...row, [field]: evaluate(expr, row) }));
  },
});
