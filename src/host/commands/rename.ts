import { ERRORS } from '../../errors/codes.js';
import type { CommandHelp, CommandParser } from '../../runtime/command.js';
import type { Row } from '../../runtime/value.js';
import { parseArguments } from '../expression/parse-arguments.js';
import type { RenamePairSpec } from '../query-ast.js';
import { RowMapCommand } from './row-map-command.js';
import { builtinProperties } from './builtin-properties.js';

const help: CommandHelp = {
  description:
    'Renames fields, left to right. The renamed field keeps its place; a field already named NEW is replaced; ' +
    'a record without OLD is left as it is.',
  syntax: 'rename OLD as NEW[, OLD as NEW]...',
  properties: builtinProperties('transforming', { perRecord: true }),
  options: [],
  inputFields: [],
  outputFields: [],
  runtimeErrors: [],
};

/** One pair applied to one record: a new record, in the same field order. */
function renameOne(row: Row, { from, to }: RenamePairSpec): Row {
  if (!Object.hasOwn(row, from) || from === to) return row;
  const out: Row = {};
  for (const [name, value] of Object.entries(row)) {
    if (name === from) out[to] = value;
    else if (name !== to) out[name] = value;
  }
  return out;
}

/**
 * `rename a as b, c as d`: renames fields, each pair in turn (so `rename a as b, b as c` ends with `c`).
 *
 * @example
 * ```ts
 * await host.query('sentry | fields guid | sentry-netstat | rename local_port as port');
 * ```
 */
export const renameCommand: CommandParser = Object.freeze<CommandParser>({
  name: 'rename',
  help,
  errors: [ERRORS.INVALID_ARGUMENTS],
  parse: (_ctx, argText) => {
    const pairs = parseArguments('rename', argText, 'Rename');
    return new RowMapCommand((row) => pairs.reduce(renameOne, row));
  },
});
