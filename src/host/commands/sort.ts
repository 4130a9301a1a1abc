import { ERRORS } from '../../errors/codes.js';
import type { CommandContext, CommandHelp, CommandParser, QueryCommand, StopReason } from '../../runtime/command.js';
import type { Row } from '../../runtime/value.js';
import { parseArguments } from '../expression/parse-arguments.js';
import { readField } from '../expression/read-field.js';
import { sortCompare } from '../expression/sort-order.js';
import type { SortSpec } from '../query-ast.js';
import { builtinProperties } from './builtin-properties.js';

const help: CommandHelp = {
  description:
    'Sorts all records by the fields given (stable; "-" before a field sorts it descending). Nulls and missing ' +
    'fields sort last ascending; mixed types order numbers < string < ipaddr < timestamp < bool < list < map < null.',
  syntax: 'sort [limit=N] [-]FIELD[, [-]FIELD]...',
  properties: builtinProperties('transforming', { perRecord: false }),
  options: [{ name: 'limit', type: 'int', description: 'Keep only the first N records after sorting.', required: false, min: 1 }],
  inputFields: [],
  outputFields: [],
  runtimeErrors: [],
};

class SortCommand implements QueryCommand {
  readonly #spec: SortSpec;
  readonly #rows: Row[] = [];
  #ctx: CommandContext | undefined;

  constructor(spec: SortSpec) {
    this.#spec = spec;
  }

  onStart(ctx: CommandContext): void {
    this.#ctx = ctx;
  }

  onPush(row: Row): void {
    this.#rows.push(row);
  }

  async onClose(reason: StopReason): Promise<void> {
    if (reason !== 'end' || !this.#ctx) return;
    // Array.prototype.sort is stable, so equal keys keep their input order.
    const sorted = this.#rows.sort((a, b) => this.#compare(a, b));
    for (const row of sorted.slice(0, this.#spec.limit ?? sorted.length)) {
      if (this.#ctx.signal.aborted) return;
      await this.#ctx.emit(row);
    }
  }

  #compare(a: Row, b: Row): number {
    for (const { field, descending } of this.#spec.keys) {
      const order = sortCompare(readField(a, field), readField(b, field));
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  }
}

/**
 * `sort [limit=N] [-]f1, f2`: sorts every input record (stable), emits when its input ends.
 *
 * @example
 * ```ts
 * await host.query('sentry | fields guid | sentry-netstat | sort limit=10 -local_port, pid');
 * ```
 */
export const sortCommand: CommandParser = Object.freeze<CommandParser>({
  name: 'sort',
  help,
  errors: [ERRORS.INVALID_ARGUMENTS],
  parse: (_ctx, argText) => new SortCommand(parseArguments('sort', argText, 'Sort')),
});
