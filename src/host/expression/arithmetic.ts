import type { Value } from '../../runtime/value.js';
import type { ArithmeticOp } from '../query-ast.js';
import { isNumeric } from './compare.js';

/**
 * `a op b` for `+ - * / %`. Numbers give numbers (`/` is real division: `7 / 2` is 3.5); two strings under
 * `+` concatenate; anything else, and division or remainder by zero, gives `null`. Integers stay exact when a
 * bigint is involved, and results that fit a safe integer come back as `number`.
 */
export function arithmetic(op: ArithmeticOp, a: Value, b: Value): Value {
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  if (!isNumeric(a) || !isNumeric(b)) return null;
  if (typeof a === 'number' && typeof b === 'number') return numberOp(op, a, b);
  if (op !== '/' && isInteger(a) && isInteger(b)) return bigintOp(op, BigInt(a), BigInt(b));
  return numberOp(op, Number(a), Number(b));
}

/** `-a` for numbers; `null` for anything else. */
export function negate(a: Value): Value {
  return isNumeric(a) ? -a : null;
}

function numberOp(op: ArithmeticOp, a: number, b: number): number | null {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? null : a / b;
    case '%':
      return b === 0 ? null : a % b;
  }
}

function bigintOp(op: Exclude<ArithmeticOp, '/'>, a: bigint, b: bigint): number | bigint | null {
  let result: bigint;
  switch (op) {
    case '+':
      result = a + b;
      break;
    case '-':
      result = a - b;
      break;
    case '*':
      result = a * b;
      break;
    case '%':
      if (b === 0n) return null;
      result = a % b;
      break;
  }
  const asNumber = Number(result);
  return Number.isSafeInteger(asNumber) ? asNumber : result;
}

function isInteger(value: number | bigint): boolean {
  return typeof value === 'bigint' || Number.isInteger(value);
}
