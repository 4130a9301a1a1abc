import { ERRORS } from '../../errors/codes.js';
import type { CommandHelp, CommandParser } from '../../runtime/command.js';
import type { Row } from '../../runtime/value.js';
import { parseArguments } from '../expression/parse-arguments.js';
import type { FieldListSpec } from '../query-ast.js';
import { RowMapCommand } from './row-map-command.js';
import { builtinProperties } from './builtin-properties.js';

const help: CommandHelp = {
  description: 'Keeps only the listed fields, in that order, or with "-" drops them.',
  syntax: 'fields [-] FIELD[, FIELD]...',
  properties: builtinProperties('transforming', { perRecord: true }),
  options: [],
  inputFields: [],
  outputFields: [],
  runtimeErrors: [],
};

/** The listed fields in list order; a field the record lacks stays absent. */
function keep(fields: readonly string[]): (row: Row) => Row {
  return (row) => {
    const out: Row = {};
    for (const name of fields) {
      const value = row[name];
      if (Object.hasOwn(row, name) && value !== undefined) out[name] = value;
    }
    return out;
  };
}

function drop(fields: readonly string[]): (row: Row) => Row {
  const dropped = new Set(fields);
  return (row) => Object.fromEntries(Object.entries(row).filter(([name]) => !dropped.has(name)));
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
  parse: (_ctx, argText) => {
    const spec: FieldListSpec = parseArguments('fields', argText, 'FieldList');
    return new RowMapCommand(spec.exclude ? drop(spec.fields) : keep(spec.fields));
  },
});
