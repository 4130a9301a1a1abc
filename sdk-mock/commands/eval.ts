import { ERRORS } from '../../src/errors/codes.js';
import type { CommandContext, CommandHelp, CommandParser, QueryCommand } from '../../src/runtime/command.js';
import type { Row } from '../../src/runtime/value.js';
import { evaluate } from '../expression/evaluate.js';
import { parseArguments } from '../expression/parse-arguments.js';
import type { EvalSpec } from '../query-ast.js';

const help: CommandHelp = {
  description:
    'Sets a field to the value of an expression (adding or overwriting it). The expression language is that of ' +
    'search plus + - * / %; + on two strings concatenates; other arithmetic on non-numbers, and division by zero, give null.',
  syntax: 'eval FIELD = EXPRESSION',
  properties: {
    commandType: 'transforming',
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

class EvalCommand implements QueryCommand {
  readonly #spec: EvalSpec;
  #ctx: CommandContext | undefined;

  constructor(spec: EvalSpec) {
    this.#spec = spec;
  }

  onStart(ctx: CommandContext): void {
    this.#ctx = ctx;
  }

  async onPush(row: Row): Promise<void> {
    // A new record: the input may be shared with other consumers.
    await this.#ctx?.emit({ ...row, [this.#spec.field]: evaluate(this.#spec.expr, row) });
  }

  onClose(): void {}
}

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
  errors: [ERRORS.INVALID_ARGUMENTS],
  parse: (_ctx, argText) => new EvalCommand(parseArguments('eval', argText, 'Eval')),
});
