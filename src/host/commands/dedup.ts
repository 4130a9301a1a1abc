import { ERRORS } from '../../errors/codes.js';
import type { CommandContext, CommandHelp, CommandParser, QueryCommand } from '../../runtime/command.js';
import type { Row } from '../../runtime/value.js';
import { parseArguments } from '../expression/parse-arguments.js';
import { readField } from '../expression/read-field.js';
import { groupKey } from '../expression/value-key.js';
import { builtinProperties } from './builtin-properties.js';

const help: CommandHelp = {
  description:
    'Keeps the first record of each combination of values of the fields given, and drops the records where one ' +
    'of them is null or missing (as SPL does). Holds one entry per distinct combination until the query ends.',
  syntax: 'dedup FIELD[, FIELD]...',
  properties: builtinProperties('filtering', { perRecord: false }),
  options: [],
  inputFields: [],
  outputFields: [],
  runtimeErrors: [],
};

class DedupCommand implements QueryCommand {
  readonly #fields: readonly string[];
  // One key per distinct combination seen: the memory dedup needs, as stats needs one per group.
  readonly #seen = new Set<string>();
  #ctx: CommandContext | undefined;

  constructor(fields: readonly string[]) {
    this.#fields = fields;
  }

  onStart(ctx: CommandContext): void {
    this.#ctx = ctx;
  }

  async onPush(row: Row): Promise<void> {
    const values = this.#fields.map((field) => readField(row, field));
    if (values.includes(null)) return;
    const key = groupKey(values);
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    await this.#ctx?.emit(row);
  }

  onClose(): void {}
}

/**
 * `dedup f1, f2`: passes on the first record of each combination of `f1` and `f2` (compared as `stats by`
 * groups them: 80 and 80.0 are one value, the ipaddr 10.0.0.1 and the string "10.0.0.1" two), at once.
 *
 * @example
 * ```ts
 * await host.query('sentry | fields guid | sentry-netstat | dedup guid, local_port');
 * ```
 */
export const dedupCommand: CommandParser = Object.freeze<CommandParser>({
  name: 'dedup',
  help,
  errors: [ERRORS.INVALID_ARGUMENTS],
  parse: (_ctx, argText) => new DedupCommand(parseArguments('dedup', argText, 'FieldNameList')),
});
