import { ERRORS } from '../../src/errors/codes.js';
import type { CommandContext, CommandHelp, CommandParser, QueryCommand } from '../../src/runtime/command.js';
import type { Row } from '../../src/runtime/value.js';
import { parseArguments } from '../expression/parse-arguments.js';
import type { FieldListSpec } from '../query-ast.js';

const help: CommandHelp = {
  description: 'Keeps only the listed fields, in that order, or with "-" drops them.',
  syntax: 'fields [-] FIELD[, FIELD]...',
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

class FieldsCommand implements QueryCommand {
  readonly #spec: FieldListSpec;
  readonly #dropped: ReadonlySet<string>;
  #ctx: CommandContext | undefined;

  constructor(spec: FieldListSpec) {
    this.#spec = spec;
    this.#dropped = new Set(spec.exclude ? spec.fields : []);
  }

  onStart(ctx: CommandContext): void {
    this.#ctx = ctx;
  }

  async onPush(row: Row): Promise<void> {
    await this.#ctx?.emit(this.#spec.exclude ? this.#drop(row) : this.#keep(row));
  }

  onClose(): void {}

  /** The listed fields in list order; a field the record lacks stays absent. */
  #keep(row: Row): Row {
    const out: Row = {};
    for (const name of this.#spec.fields) {
      const value = row[name];
      if (Object.hasOwn(row, name) && value !== undefined) out[name] = value;
    }
    return out;
  }

  #drop(row: Row): Row {
    return Object.fromEntries(Object.entries(row).filter(([name]) => !this.#dropped.has(name)));
  }
}

/**
 * `fields a, b` keeps only `a` and `b` (in that order); `fields - a, b` drops them.
 *
 * @example
 * ```ts
 * await host.query('sentry | fields guid');
 * ```
 */
export const fieldsCommand: CommandParser = Object.freeze<CommandParser>({
  name: 'fields',
  help,
  errors: [ERRORS.INVALID_ARGUMENTS],
  parse: (_ctx, argText) => new FieldsCommand(parseArguments('fields', argText, 'FieldList')),
});
