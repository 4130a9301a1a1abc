import { ERRORS } from '../../errors/codes.js';
import { QueryParseError } from '../../errors/query-parse-error.js';
import type { CommandContext, CommandHelp, CommandParser, QueryCommand, StopReason } from '../../runtime/command.js';
import type { Row, Value } from '../../runtime/value.js';
import { parseArguments } from '../expression/parse-arguments.js';
import { readField } from '../expression/read-field.js';
import { groupKey } from '../expression/value-key.js';
import type { TopSpec } from '../query-ast.js';
import { builtinProperties } from './builtin-properties.js';

const NAME = 'top';

/** How many values `top` shows per group when `limit=` is not given: SPL's default. */
const DEFAULT_TOP_LIMIT = 10;

const help: CommandHelp = {
  description:
    'The most common values (or combinations of values) of the fields given, overall or per group of the "by" ' +
    'fields, most common first (ties in the order first seen), with their count and percent. Records where a ' +
    'field is null are not counted. Holds one entry per distinct combination until its input ends.',
  syntax: 'top [limit=N] FIELD[, FIELD]... [by FIELD[, FIELD]...]',
  properties: builtinProperties('aggregation', { perRecord: false }),
  options: [
    {
      name: 'limit',
      type: 'int',
      description: 'How many values to show per group; 0 shows them all.',
      required: false,
      default: DEFAULT_TOP_LIMIT,
      min: 0,
    },
  ],
  inputFields: [],
  outputFields: [
    { name: 'count', type: 'long', description: 'Number of records with this value.' },
    { name: 'percent', type: 'double', description: 'count as a percentage of the counted records of the group, to 2 decimals.' },
  ],
  runtimeErrors: [],
};

/** One value combination: its values and how many records had it. */
interface Tally {
  readonly values: readonly Value[];
  count: number;
}

/** One `by` group: its keys, its tallies in first-seen order, and how many records it counted. */
interface Group {
  readonly keys: readonly Value[];
  readonly tallies: Map<string, Tally>;
  total: number;
}

class TopCommand implements QueryCommand {
  readonly #spec: TopSpec;
  readonly #groups = new Map<string, Group>();
  #ctx: CommandContext | undefined;

  constructor(spec: TopSpec) {
    this.#spec = spec;
  }

  onStart(ctx: CommandContext): void {
    this.#ctx = ctx;
  }

  onPush(row: Row): void {
    const values = this.#spec.fields.map((field) => readField(row, field));
    if (values.includes(null)) return;
    const keys = this.#spec.by.map((field) => readField(row, field));
    const groupId = groupKey(keys);
    let group = this.#groups.get(groupId);
    if (!group) {
      group = { keys, tallies: new Map(), total: 0 };
      this.#groups.set(groupId, group);
    }
    const valueId = groupKey(values);
    const tally = group.tallies.get(valueId);
    if (tally) tally.count++;
    else group.tallies.set(valueId, { values, count: 1 });
    group.total++;
  }

  async onClose(reason: StopReason): Promise<void> {
    if (reason !== 'end' || !this.#ctx) return;
    const limit = this.#spec.limit ?? DEFAULT_TOP_LIMIT;
    for (const group of this.#groups.values()) {
      // Array.prototype.sort is stable: equal counts keep their first-seen order.
      const ranked = [...group.tallies.values()].sort((a, b) => b.count - a.count);
      for (const tally of limit === 0 ? ranked : ranked.slice(0, limit)) {
        if (this.#ctx.signal.aborted) return;
        await this.#ctx.emit(this.#output(group, tally));
      }
    }
  }

  #output(group: Group, tally: Tally): Row {
    const row: Row = {};
    this.#spec.by.forEach((field, i) => (row[field] = group.keys[i] ?? null));
    this.#spec.fields.forEach((field, i) => (row[field] = tally.values[i] ?? null));
    row['count'] = tally.count;
    row['percent'] = Math.round((tally.count * 10000) / group.total) / 100;
    return row;
  }
}

/** Refuses a field given twice, or named count or percent (they would collide in the output). */
function checkOutputNames(spec: TopSpec): TopSpec {
  const names = new Set(['count', 'percent']);
  for (const field of [...spec.by, ...spec.fields]) {
    if (names.has(field))
      throw new QueryParseError(ERRORS.INVALID_ARGUMENTS, 0, NAME, `${field} cannot be both a field and an output of top`);
    names.add(field);
  }
  return spec;
}

/**
 * `top [limit=N] f1 [by g]`: the N most common values of `f1` (per group of `g`), with `count` and `percent`;
 * emits when its input ends (nothing if the query is cancelled or limited).
 *
 * @example
 * ```ts
 * await host.query('sentry | fields guid | sentry-netstat | top limit=3 local_port by guid');
 * ```
 */
export const topCommand: CommandParser = Object.freeze<CommandParser>({
  name: NAME,
  help,
  errors: [ERRORS.INVALID_ARGUMENTS],
  parse: (_ctx, argText) => new TopCommand(checkOutputNames(parseArguments(NAME, argText, 'Top'))),
});
