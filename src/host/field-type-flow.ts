import type { CommandParser } from '../runtime/command.js';
import { dedupCommand } from './commands/dedup.js';
import { evalCommand } from './commands/eval.js';
import { fieldsCommand } from './commands/fields.js';
import { limitCommand } from './commands/limit.js';
import { renameCommand } from './commands/rename.js';
import { searchCommand } from './commands/search.js';
import { sortCommand } from './commands/sort.js';
import { statsCommand } from './commands/stats.js';
import { topCommand } from './commands/top.js';
import { whereCommand } from './commands/where.js';
import { checkComparisonTypes, type KnownField, type KnownFields } from './expression/comparison-types.js';
import { parseArguments } from './expression/parse-arguments.js';

/** What a built-in does to the known field types: checks its own expressions, then gives those of its output. */
type TypeFlow = (argText: string, known: KnownFields) => KnownFields;

const unchanged: TypeFlow = (_argText, known) => known;

const filter =
  (name: string): TypeFlow =>
  (argText, known) => {
    checkComparisonTypes(name, parseArguments(name, argText, 'Expression'), known);
    return known;
  };

const long = (declaredBy: string): KnownField => ({ type: 'long', declaredBy });

/** The built-ins, each with how it passes field types on (json, and sentry, declare theirs like any command). */
const FLOWS: ReadonlyMap<CommandParser, TypeFlow> = new Map<CommandParser, TypeFlow>([
  [searchCommand, filter('search')],
  [whereCommand, filter('where')],
  [dedupCommand, unchanged],
  [sortCommand, unchanged],
  [limitCommand, unchanged],
  [
    evalCommand,
    (argText, known) => {
      const { field, expr } = parseArguments('eval', argText, 'Eval');
      checkComparisonTypes('eval', expr, known);
      const out = new Map(known);
      out.delete(field); // computed: its type is known only at run time
      return out;
    },
  ],
  [
    fieldsCommand,
    (argText, known) => {
      const { exclude, fields } = parseArguments('fields', argText, 'FieldList');
      return new Map([...known].filter(([name]) => fields.includes(name) !== exclude));
    },
  ],
  [
    renameCommand,
    (argText, known) => {
      const out = new Map(known);
      for (const { from, to } of parseArguments('rename', argText, 'Rename')) {
        const type = out.get(from);
        out.delete(from);
        if (type) out.set(to, type);
        else out.delete(to); // a record without `from` keeps its own `to`, of a type not known here
      }
      return out;
    },
  ],
  [
    statsCommand,
    (argText, known) => {
      const { by, aggregates } = parseArguments('stats', argText, 'Stats');
      const out = new Map([...known].filter(([name]) => by.includes(name)));
      for (const aggregate of aggregates) out.set(aggregate.name, long('stats'));
      return out;
    },
  ],
  [
    topCommand,
    (argText, known) => {
      const { by, fields } = parseArguments('top', argText, 'Top');
      const out = new Map([...known].filter(([name]) => by.includes(name) || fields.includes(name)));
      return out.set('count', long('top')).set('percent', { type: 'double', declaredBy: 'top' });
    },
  ],
]);

/**
 * The field types known after `parser` ran with `argText` over records whose known types are `known`,
 * having refused (90005) a comparison in it that can never be true. A built-in passes types on as it changes
 * the records; any other command (a driver, a plugin command) gives the types its help declares for its
 * output fields, and nothing else is known after it.
 *
 * @example
 * ```ts
 * let known: KnownFields = new Map();
 * known = flowFieldTypes(sentryNetstatCommand, '', known); // local_port: int …
 * flowFieldTypes(searchCommand, ' local_port == "80"', known); // throws 90005
 * ```
 */
export function flowFieldTypes(parser: CommandParser, argText: string, known: KnownFields): KnownFields {
  const flow = FLOWS.get(parser);
  if (flow) return flow(argText, known);
  return new Map(parser.help.outputFields.map((field) => [field.name, { type: field.type, declaredBy: parser.name }]));
}
