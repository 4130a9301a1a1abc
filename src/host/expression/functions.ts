import type { Value } from '../../runtime/value.js';
import type { Expr } from '../query-ast.js';
import { cidrOf, inCidr, parseCidr } from './cidr.js';

/** A function of the expression language: how many arguments, what a literal argument must be, what it gives. */
export interface QueryFunction {
  /** The number of arguments. */
  readonly arity: number;
  /** The syntax, for error messages and the docs: `cidrmatch("CIDR", FIELD)`. */
  readonly syntax: string;
  /** Why a literal argument cannot work (checked when the query is parsed), or `undefined` when it can. */
  readonly checkLiteral?: (index: number, value: Expr & { kind: 'literal' }) => string | undefined;
  /** The result for evaluated arguments. */
  readonly call: (args: readonly Value[]) => Value;
}

/**
 * `cidrmatch(CIDR, VALUE)`: true when VALUE (an ipaddr, or a string holding an address) is in the network
 * CIDR, false when not (a null or non-address value included); null when CIDR is not a network.
 */
const cidrmatch: QueryFunction = {
  arity: 2,
  syntax: 'cidrmatch("CIDR", FIELD)',
  checkLiteral: (index, { value }) =>
    index === 0 && (typeof value !== 'string' || parseCidr(value) === undefined)
      ? `${JSON.stringify(value)} is not a network such as "10.0.0.0/8" or "fd00::/8"`
      : undefined,
  call: ([network, value]) => {
    if (typeof network !== 'string') return null;
    const cidr = cidrOf(network);
    return cidr === undefined ? null : inCidr(value ?? null, cidr);
  },
};

/** Every function of the expression language, by name (names are case-sensitive, lower case). */
export const QUERY_FUNCTIONS: ReadonlyMap<string, QueryFunction> = new Map([['cidrmatch', cidrmatch]]);
