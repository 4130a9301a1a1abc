import { IpAddress } from '../../runtime/ip-address.js';
import type { Row, Value } from '../../runtime/value.js';
import type { ArithmeticOp, BinaryExpr, Expr } from '../query-ast.js';
import { arithmetic, negate } from './arithmetic.js';
import { cidrOf, inCidr } from './cidr.js';
import { compareValues, valuesEqual } from './compare.js';
import { QUERY_FUNCTIONS } from './functions.js';
import { readField } from './read-field.js';
import { isWildcardPattern, matchesWildcard } from './wildcard.js';

/**
 * The value of `expr` for `row`. Comparisons and logic give booleans, with SQL-like handling of non-booleans:
 * `and`/`or`/`not` over a value that is not a boolean give `null` unless the other side decides
 * (`false and x` is false, `true or x` is true). A record is kept by `search` only when this is `true`.
 *
 * @example
 * ```ts
 * evaluate(parseArguments('search', ' state == "LIST*"', 'Expression'), { state: 'LISTEN' }); // true
 * ```
 */
export function evaluate(expr: Expr, row: Row): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'field':
      return readField(row, expr.name);
    case 'unary': {
      const operand = evaluate(expr.operand, row);
      if (expr.op === '-') return negate(operand);
      return typeof operand === 'boolean' ? !operand : null;
    }
    case 'binary':
      return evaluateBinary(expr, row);
    case 'call': {
      // The name and arity were checked when the query was parsed (parseExpression).
      const fn = QUERY_FUNCTIONS.get(expr.name);
      return fn ? fn.call(expr.args.map((arg) => evaluate(arg, row))) : null;
    }
  }
}

function evaluateBinary(expr: BinaryExpr, row: Row): Value {
  const { op } = expr;
  if (op === 'and' || op === 'or') return evaluateLogicChain(expr, row);
  if (isArithmetic(op)) return evaluateArithmeticChain(expr, row);
  if (op === '==' || op === '!=') return isEqual(expr, row) === (op === '==');
  const left = evaluate(expr.left, row);
  const right = evaluate(expr.right, row);
  switch (op) {
    case '<':
      return (compareValues(left, right) ?? 0) < 0;
    case '<=':
      return (compareValues(left, right) ?? 1) <= 0;
    case '>':
      return (compareValues(left, right) ?? 0) > 0;
    default: // '>='
      return (compareValues(left, right) ?? -1) >= 0;
  }
}

/**
 * The operands of a chain the grammar folds to the left (`a or b or c` is `(a or b) or c`), leftmost first,
 * found by walking down the left side in a loop: a chain of 5,000 terms costs no recursion depth.
 */
function leftChain(expr: BinaryExpr, sameLevel: (op: BinaryExpr['op']) => boolean): BinaryExpr[] {
  const links: BinaryExpr[] = [];
  let node: Expr = expr;
  while (node.kind === 'binary' && sameLevel(node.op)) {
    links.push(node);
    node = node.left;
  }
  return links.reverse(); // links[0].left is the leftmost operand
}

/**
 * `and`/`or` over a chain of one operator, left to right. Short-circuit: the deciding value settles it; as
 * the nested form did, since three-valued `and` and `or` are associative.
 */
function evaluateLogicChain(expr: BinaryExpr, row: Row): Value {
  const { op } = expr;
  const decisive = op === 'or';
  const links = leftChain(expr, (o) => o === op);
  let value = evaluate(links[0]!.left, row);
  if (value === decisive) return decisive;
  for (const link of links) {
    const right = evaluate(link.right, row);
    if (right === decisive) return decisive;
    value = value === !decisive && right === !decisive ? !decisive : null;
  }
  return value;
}

const ADDITIVE_OPS: ReadonlySet<BinaryExpr['op']> = new Set(['+', '-']);
const MULTIPLICATIVE_OPS: ReadonlySet<BinaryExpr['op']> = new Set(['*', '/', '%']);

function isArithmetic(op: BinaryExpr['op']): op is ArithmeticOp {
  return ADDITIVE_OPS.has(op) || MULTIPLICATIVE_OPS.has(op);
}

/** `+ -` (or `* / %`) over a chain of one precedence level, folded left to right as the grammar nests it. */
function evaluateArithmeticChain(expr: BinaryExpr, row: Row): Value {
  const level = ADDITIVE_OPS.has(expr.op) ? ADDITIVE_OPS : MULTIPLICATIVE_OPS;
  const links = leftChain(expr, (o) => level.has(o));
  let value = evaluate(links[0]!.left, row);
  for (const link of links) value = arithmetic(link.op as ArithmeticOp, value, evaluate(link.right, row));
  return value;
}

/**
 * `==` with patterns, a string literal on either side (the right one first): with `*` it is a wildcard; a
 * network (`"10.0.0.0/8"`) compared with an ipaddr means "is in that network".
 */
function isEqual(expr: BinaryExpr, row: Row): boolean {
  for (const [pattern, other] of [
    [expr.right, expr.left],
    [expr.left, expr.right],
  ] as const) {
    if (pattern.kind !== 'literal' || typeof pattern.value !== 'string') continue;
    if (isWildcardPattern(pattern.value)) return matchesWildcard(evaluate(other, row), pattern.value);
    const cidr = pattern.value.includes('/') ? cidrOf(pattern.value) : undefined;
    if (cidr !== undefined) {
      const value = evaluate(other, row);
      return value instanceof IpAddress ? inCidr(value, cidr) : valuesEqual(value, pattern.value);
    }
  }
  return valuesEqual(evaluate(expr.left, row), evaluate(expr.right, row));
}
