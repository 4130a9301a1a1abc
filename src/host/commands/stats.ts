import { ERRORS } from '../../errors/codes.js';
import { QueryParseError } from '../../errors/query-parse-error.js';
import type { CommandContext, CommandHelp, CommandParser, QueryCommand, StopReason } from '../../runtime/command.js';
import type { Row, Value } from '../../runtime/value.js';
import { parseArguments } from '../expression/parse-arguments.js';
import { readField } from '../expression/read-field.js';
import { groupKey, valueKey } from '../expression/value-key.js';
import type { StatsSpec } from '../query-ast.js';
import { builtinProperties } from './builtin-properties.js';

const NAME = 'stats';

const help: CommandHelp = {
  description:
    'Counts records, overall or per group of the "by" fields. count counts every record, count(FIELD) the records ' +
    'where FIELD is not null, dc(FIELD) the distinct non-null values of FIELD (holding each value until the end). ' +
    'Output: the "by" fields, then the aggregates; groups in the order first seen.',
  syntax: 'stats count[(FIELD)] | dc(FIELD) [as NAME][, ...] [by FIELD[, FIELD]...]',
  properties: builtinProperties('aggregation', { perRecord: false }),
  options: [],
  inputFields: [],
  outputFields: [
    { name: 'count', type: 'long', description: 'Number of records (or the alias given with "as").' },
    { name: 'count(FIELD)', type: 'long', description: 'Number of records where FIELD is not null (or the alias given with "as").' },
    { name: 'dc(FIELD)', type: 'long', description: 'Number of distinct non-null values of FIELD (or the alias given with "as").' },
  ],
  runtimeErrors: [],
};

/**
 * One group: the values of its `by` fields and one counter per aggregate; a `dc` aggregate also holds the keys
 * of the distinct values it has seen (one entry per distinct value: the memory dc needs).
 */
interface Group {
  readonly keys: readonly Value[];
  readonly counts: number[];
  readonly distinct: (Set<string> | undefined)[];
}

class StatsCommand implements QueryCommand {
  readonly #spec: StatsSpec;
  readonly #groups = new Map<string, Group>();
  #ctx: CommandContext | undefined;

  constructor(spec: StatsSpec) {
    this.#spec = spec;
  }

  onStart(ctx: CommandContext): void {
    this.#ctx = ctx;
  }

  onPush(row: Row): void {
    const keys = this.#spec.by.map((field) => readField(row, field));
    const key = groupKey(keys);
    let group = this.#groups.get(key);
    if (!group) {
      group = this.#newGroup(keys);
      this.#groups.set(key, group);
    }
    this.#spec.aggregates.forEach((aggregate, i) => {
      const value = aggregate.field === undefined ? undefined : readField(row, aggregate.field);
      if (value === null) return;
      const distinct = group.distinct[i];
      if (distinct === undefined) group.counts[i] = (group.counts[i] ?? 0) + 1;
      else if (value !== undefined) {
        distinct.add(valueKey(value));
        group.counts[i] = distinct.size;
      }
    });
  }

  #newGroup(keys: readonly Value[]): Group {
    const { aggregates } = this.#spec;
    return { keys, counts: aggregates.map(() => 0), distinct: aggregates.map((a) => (a.fn === 'dc' ? new Set<string>() : undefined)) };
  }

  async onClose(reason: StopReason): Promise<void> {
    if (reason !== 'end' || !this.#ctx) return;
    // Without `by` there is always one overall group, even over no input.
    const groups = this.#groups.size === 0 && this.#spec.by.length === 0 ? [this.#newGroup([])] : this.#groups.values();
    for (const group of groups) {
      if (this.#ctx.signal.aborted) return;
      await this.#ctx.emit(this.#output(group));
    }
  }

  #output(group: Group): Row {
    const row: Row = {};
    this.#spec.by.forEach((field, i) => {
      row[field] = group.keys[i] ?? null;
    });
    this.#spec.aggregates.forEach((aggregate, i) => {
      row[aggregate.name] = group.counts[i] ?? 0;
    });
    return row;
  }
}

/** Refuses two outputs of the same name (e.g. `stats count, count` or `stats count as a by a`). */
function checkOutputNames(spec: StatsSpec): StatsSpec {
  const names = new Set(spec.by);
  for (const aggregate of spec.aggregates) {
    if (names.has(aggregate.name)) {
      throw new QueryParseError(ERRORS.INVALID_ARGUMENTS, aggregate.offset, NAME, `duplicate output field ${aggregate.name}`);
    }
    names.add(aggregate.name);
  }
  return spec;
}

/**
 * `stats count [, count(f)] [, dc(f)] [by f1, f2]`: counts records (and distinct values) per group; emits when its input ends (nothing if
 * the query is cancelled or limited).
 *
 * @example
 * ```ts
 * await host.query('sentry | fields guid | sentry-netstat | stats count by state');
 * ```
 */
export const statsCommand: CommandParser = Object.freeze<CommandParser>({
  name: NAME,
  help,
  errors: [ERRORS.INVALID_ARGUMENTS],
  parse: (_ctx, argText) => new StatsCommand(checkOutputNames(parseArguments(NAME, argText, 'Stats'))),
});
