import { ERRORS } from '../errors/codes.js';
import { QueryParseError } from '../errors/query-parse-error.js';
import { parse } from './generated/query-parser.js';
import type { PipelineSegment } from './query-ast.js';

/**
 * Splits a query into its commands (`|`-separated; a `|` inside double quotes does not split).
 * Throws 90000 with the offset where the text stops being a pipeline.
 */
export function parsePipeline(query: string): PipelineSegment[] {
  try {
    return parse(query, { startRule: 'Pipeline' });
  } catch (error) {
    const offset = (error as { location?: { start?: { offset?: number } } }).location?.start?.offset;
    if (typeof offset !== 'number') throw error;
    throw new QueryParseError(ERRORS.QUERY_SYNTAX, offset, describe(query, offset));
  }
}

function describe(query: string, offset: number): string {
  if (offset >= query.length) return query.trim() === '' ? 'the query is empty' : 'a command name is missing at the end';
  const char = query[offset];
  if (char === '|') return 'a command name is missing before |';
  if (char === '"') return 'unterminated quoted string';
  return `unexpected ${JSON.stringify(char)}`;
}
