import type { Row, Value } from '../../runtime/value.js';
import type { BinaryExpr, Expr } from '../query-ast.js';
import { arithmetic, negate } from './arithmetic.js';
import { compareValues, valuesEqual } from './compare.js';
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
  }
}

function evaluateBinary(expr: BinaryExpr, row: Row): Value {
  const { op } = expr;
  if (op === 'and' || op === 'or') {
    // Short-circuit: the deciding value of the left side settles it.
    const decisive = op === 'or';
    const left = evaluate(expr.left, row);
    if (left === decisive) return decisive;
    const right = evaluate(expr.right, row);
    if (right === decisive) return decisive;
    return left === !decisive && right === !decisive ? !decisive : null;
  }
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
    case '>=':
      return (compareValues(left, right) ?? -1) >= 0;
    default:
      return arithmetic(op, left, right);
  }
}

/** `==` with wildcards: a string literal containing `*` on either side (the right one first) is a pattern. */
function isEqual(expr: BinaryExpr, row: Row): boolean {
  for (const [pattern, other] of [
    [expr.right, expr.left],
    [expr.left, expr.right],
  ] as const) {
    if (pattern.kind === 'literal' && typeof pattern.value === 'string' && isWildcardPattern(pattern.value)) {
      return matchesWildcard(evaluate(other, row), pattern.value);
    }
  }
  return valuesEqual(evaluate(expr.left, row), evaluate(expr.right, row));
}
