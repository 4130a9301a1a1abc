import { ERRORS } from '../../src/errors/codes.js';
import type { CommandContext, CommandHelp, CommandParser, QueryCommand } from '../../src/runtime/command.js';
import type { Row } from '../../src/runtime/value.js';
import { evaluate } from '../expression/evaluate.js';
import { parseArguments } from '../expression/parse-arguments.js';
import type { Expr } from '../query-ast.js';

const help: CommandHelp = {
  description:
    'Keeps the records for which the expression is true. Operators: == != < <= > >= and or not, parentheses; ' +
    'a * in a string compared with == or != matches any run of characters; an ipaddr equals its text form.',
  syntax: 'search EXPRESSION',
  properties: {
    commandType: 'filtering',
    requiredPermission: 'none',
    licenseUsage: 'N/A',
    parallelExecution: true,
    distributedExecution: true,
  },
  options: [],
  inputFields: [],
  outputFields: [],
  runtimeErrors: [],
};

class SearchCommand implements QueryCommand {
  readonly #expr: Expr;
  #ctx: CommandContext | undefined;

  constructor(expr: Expr) {
    this.#expr = expr;
  }

  onStart(ctx: CommandContext): void {
    this.#ctx = ctx;
  }

  async onPush(row: Row): Promise<void> {
    // Only a true result keeps the record: false, null and non-boolean values drop it.
    if (evaluate(this.#expr, row) === true) await this.#ctx?.emit(row);
  }

  onClose(): void {}
}

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
  errors: [ERRORS.INVALID_ARGUMENTS],
  parse: (_ctx, argText) => new SearchCommand(parseArguments('search', argText, 'Expression')),
});
