import { ERRORS } from '../../errors/codes.js';
import { QueryParseError } from '../../errors/query-parse-error.js';
import { IpAddress } from '../../runtime/ip-address.js';
import type { ValueType } from '../../runtime/value.js';
import type { ComparisonOp, Expr, LiteralExpr } from '../query-ast.js';
import { parseCidr } from './cidr.js';
import { expressionNodes } from './expression-nodes.js';
import { isWildcardPattern } from './wildcard.js';

/** A field whose type is known when the query is parsed, and which command says so (for the message). */
export interface KnownField {
  readonly type: ValueType;
  readonly declaredBy: string;
}

/** The fields of the records reaching a command whose types are known; a field not listed may be anything. */
export type KnownFields = ReadonlyMap<string, KnownField>;

const COMPARISONS: ReadonlySet<string> = new Set<ComparisonOp>(['==', '!=', '<', '<=', '>', '>=']);
const NUMERIC: ReadonlySet<ValueType> = new Set(['int', 'long', 'double']);

/**
 * Refuses, with 90005 at the literal, a comparison between a field of a known type and a literal it can never
 * equal or be ordered with: `local_port == "80"` (an int and a string), `state == 1`, `local_ip == "localhost"`.
 * Such a comparison is false for every record, so the query would silently return nothing. Fields of unknown
 * type (from `json`, `eval`) are compared at run time, where different types are simply never equal.
 */
export function checkComparisonTypes(command: string, expr: Expr, known: KnownFields): void {
  if (known.size === 0) return;
  for (const node of expressionNodes(expr)) {
    if (node.kind !== 'binary' || !COMPARISONS.has(node.op)) continue;
    for (const [field, literal] of [
      [node.left, node.right],
      [node.right, node.left],
    ] as const) {
      if (field.kind !== 'field' || literal.kind !== 'literal') continue;
      const declared = known.get(field.name);
      const problem = declared && mismatch(declared.type, literal, node.op as ComparisonOp);
      if (problem) {
        const detail = `${field.name} is ${article(declared.type)} (as ${declared.declaredBy} declares it) and ${describe(literal)}: ${problem}`;
        throw new QueryParseError(ERRORS.TYPE_MISMATCH, literal.offset, command, detail);
      }
    }
  }
}

/** Why `literal` can never compare with a value of `type`, with the fix; `undefined` when it can. */
function mismatch(type: ValueType, { value }: LiteralExpr, op: ComparisonOp): string | undefined {
  if (value === null) return undefined;
  const equality = op === '==' || op === '!=';
  if (NUMERIC.has(type)) {
    if (typeof value === 'number' || typeof value === 'bigint') return undefined;
    if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()))
      return `they never compare; write ${value.trim()} without quotes`;
    return 'they never compare; compare it with a number';
  }
  if (type === 'string') {
    if (typeof value === 'string') return undefined;
    return typeof value === 'boolean'
      ? 'they never compare; compare it with a string'
      : `they never compare; write "${String(value)}" in quotes`;
  }
  if (type === 'ipaddr') {
    if (typeof value !== 'string') return 'they never compare; compare it with an address in quotes, e.g. "10.0.0.1" or "10.0.0.0/8"';
    if (IpAddress.tryParse(value) || (equality && (isWildcardPattern(value) || parseCidr(value)))) return undefined;
    return equality
      ? 'it is neither an address nor a network, so nothing matches; write e.g. "10.0.0.1", "10.0.0.0/8" or "10.*"'
      : 'it is not an address, so nothing is ordered against it; write e.g. "10.0.0.1"';
  }
  if (type === 'bool') return typeof value === 'boolean' ? undefined : 'they never compare; compare it with true or false';
  return undefined;
}

function article(type: ValueType): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

function describe({ value }: LiteralExpr): string {
  if (typeof value === 'string') return `${JSON.stringify(value)} a string`;
  if (typeof value === 'boolean') return `${String(value)} a bool`;
  return `${String(value)} a number`;
}
