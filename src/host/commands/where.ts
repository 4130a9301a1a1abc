import { ERRORS } from '../../errors/codes.js';
import type { CommandHelp, CommandParser } from '../../runtime/command.js';
import { evaluate } from '../expression/evaluate.js';
import { parseExpression } from '../expression/parse-expression.js';
import { RowMapCommand } from './row-map-command.js';
import { builtinProperties } from './builtin-properties.js';

const help: CommandHelp = {
  description:
    'Keeps the records for which the expression is true: the same command as search, under the name SPL users ' +
    'reach for (where local_port < 1024 and cidrmatch("10.0.0.0/8", remote_ip)). See docs/query-language.md.',
  syntax: 'where EXPRESSION',
  properties: builtinProperties('filtering', { perRecord: true }),
  options: [],
  inputFields: [],
  outputFields: [],
  runtimeErrors: [],
};

/**
 * `where EXPR`: passes on the records for which `EXPR` is true, exactly as `search` does. In SPL `search`
 * takes search terms and `where` an expression; here both take the expression language, so neither surprises.
 *
 * @example
 * ```ts
 * await host.query('sentry | fields guid | sentry-netstat | where local_port < 1024');
 * ```
 */
export const whereCommand: CommandParser = Object.freeze<CommandParser>({
  name: 'where',
  help,
  errors: [ERRORS.INVALID_ARGUMENTS, ERRORS.NESTING_TOO_DEEP],
  parse: (_ctx, argText) => {
    const expr = parseExpression('where', argText);
    return new RowMapCommand((row) => (evaluate(expr, row) === true ? row : undefined));
  },
});
