import { ERRORS } from '../../errors/codes.js';
import { QUERY_NESTING_LIMIT } from '../../rpc/limits.js';
import { QueryParseError } from '../../errors/query-parse-error.js';
import { parse } from '../generated/query-parser.js';
import type { EvalSpec, Expr, FieldListSpec, RenameSpec, SortSpec, StatsSpec, TopSpec } from '../query-ast.js';

/** What each argument start rule of grammar/query.peggy returns. */
interface ArgumentRules {
  Expression: Expr;
  FieldList: FieldListSpec;
  FieldNameList: string[];
  Stats: StatsSpec;
  Sort: SortSpec;
  Eval: EvalSpec;
  Limit: number;
  Rename: RenameSpec;
  Top: TopSpec;
}

/**
 * Reads a built-in command's argument text with one start rule of the query grammar. A syntax error becomes
 * 90003 (`INVALID_ARGUMENTS`) at the offset where the text stops making sense, relative to `argText`; nesting
 * deeper than {@link QUERY_NESTING_LIMIT} becomes 90004 (`NESTING_TOO_DEEP`) where the level too many opens.
 *
 * @example
 * ```ts
 * parseArguments('limit', ' 10', 'Limit'); // 10
 * ```
 */
export function parseArguments<R extends keyof ArgumentRules>(command: string, argText: string, rule: R): ArgumentRules[R] {
  try {
    // One call serves every rule; the generated overloads cannot follow a generic start rule.
    return (parse as (text: string, options: { startRule: string; maxDepth: number }) => unknown)(argText, {
      startRule: rule,
      maxDepth: QUERY_NESTING_LIMIT,
    }) as ArgumentRules[R];
  } catch (error) {
    const offset = (error as { location?: { start?: { offset?: unknown } } }).location?.start?.offset;
    if (typeof offset !== 'number') throw error;
    if ((error as { nestingLimit?: unknown }).nestingLimit !== undefined) {
      throw new QueryParseError(ERRORS.NESTING_TOO_DEEP, offset, command, QUERY_NESTING_LIMIT);
    }
    throw new QueryParseError(ERRORS.INVALID_ARGUMENTS, offset, command, detailOf(error as Error));
  }
}

/** Peggy's message as a short lowercase phrase without the trailing period (the catalogue adds one). */
function detailOf(error: Error): string {
  const message = error.message.replace(/\.$/, '');
  return message.charAt(0).toLowerCase() + message.slice(1);
}
