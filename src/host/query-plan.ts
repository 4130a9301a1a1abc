import { ERRORS } from '../errors/codes.js';
import { QueryParseError } from '../errors/query-parse-error.js';
import type { CommandParser, ParseContext, QueryCommand, QueryDriver } from '../runtime/command.js';
import type { KnownFields } from './expression/comparison-types.js';
import { flowFieldTypes } from './field-type-flow.js';
import { parsePipeline } from './pipeline.js';

/** One parsed command of a query. */
export interface PlannedCommand {
  /** The command name as written in the query. */
  readonly name: string;
  /** Offset of the command name in the query. */
  readonly offset: number;
  /** The command that runs this segment. */
  readonly command: QueryCommand | QueryDriver;
}

/**
 * Parses a whole query: splits the pipeline, finds each command's parser, checks that exactly the first
 * command is a driver, and lets each parser read its arguments. Then follows the field types the commands
 * declare down the pipeline, refusing a comparison that can never be true (90005). Parse errors come back
 * rebased onto the query text.
 */
export function planQuery(query: string, parsers: ReadonlyMap<string, CommandParser>, ctx: ParseContext): PlannedCommand[] {
  let known: KnownFields = new Map();
  return parsePipeline(query).map((segment, index) => {
    const parser = parsers.get(segment.name);
    if (!parser) throw new QueryParseError(ERRORS.UNKNOWN_COMMAND, segment.nameOffset, segment.name, [...parsers.keys()]);
    const isDriver = parser.help.properties.commandType === 'driver';
    if (index === 0 && !isDriver) {
      throw new QueryParseError(ERRORS.COMMAND_POSITION, segment.nameOffset, segment.name, 'cannot start a query: it needs input records');
    }
    if (index > 0 && isDriver) {
      throw new QueryParseError(ERRORS.COMMAND_POSITION, segment.nameOffset, segment.name, 'must be the first command of a query');
    }
    try {
      const command = parser.parse(ctx, segment.args);
      known = flowFieldTypes(parser, segment.args, known);
      return { name: segment.name, offset: segment.nameOffset, command };
    } catch (error) {
      throw error instanceof QueryParseError ? error.rebase(segment.argsOffset) : error;
    }
  });
}
