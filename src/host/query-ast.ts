/**
 * Syntax trees of the host's query language, as grammar/query.peggy builds them.
 *
 * @module
 */

/** One command of a pipeline: its name and raw argument text, with offsets in the query. */
export interface PipelineSegment {
  /** The command name. */
  readonly name: string;
  /** Offset of the command name in the query. */
  readonly nameOffset: number;
  /** Everything after the name up to the next unquoted `|` (starts with whitespace, or is empty). */
  readonly args: string;
  /** Offset of `args` in the query. */
  readonly argsOffset: number;
}

/**
 * An expression of `search` and `eval`: a tree of literals, field references and operators. `-5` is a
 * literal; integer literals beyond 2^53 are `bigint`.
 */
export type Expr = LiteralExpr | FieldExpr | CallExpr | UnaryExpr | BinaryExpr;

/** A constant: string, number, `true`, `false` or `null`. */
export interface LiteralExpr {
  readonly kind: 'literal';
  readonly value: string | number | bigint | boolean | null;
  /** Offset of the literal in the argument text (of its minus sign for `-5`). */
  readonly offset: number;
}

/** The value of a field of the current record (`null` when missing). */
export interface FieldExpr {
  readonly kind: 'field';
  readonly name: string;
  /** Offset of the field name in the argument text. */
  readonly offset: number;
}

/** A function call, e.g. `cidrmatch("10.0.0.0/8", remote_ip)`; the command checks the name and arguments. */
export interface CallExpr {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Expr[];
  /** Offset of the function name in the argument text. */
  readonly offset: number;
}

/** `not x` or `-x`. */
export interface UnaryExpr {
  readonly kind: 'unary';
  readonly op: 'not' | '-';
  readonly operand: Expr;
}

/** The comparison operators. */
export type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
/** The arithmetic operators (`eval`). */
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';
/** The logical operators. */
export type LogicalOp = 'and' | 'or';

/** `left op right`. */
export interface BinaryExpr {
  readonly kind: 'binary';
  readonly op: ComparisonOp | ArithmeticOp | LogicalOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** `fields a, b` (keep these, in this order) or `fields - a, b` (drop these). */
export interface FieldListSpec {
  readonly exclude: boolean;
  /** At least one. */
  readonly fields: readonly string[];
}

/**
 * One aggregate of `stats`: `count` (every record), `count(f)` (records where `f` is not null) or `dc(f)`
 * (the number of distinct non-null values of `f`).
 */
export interface AggregateSpec {
  readonly fn: 'count' | 'dc';
  /** The field, for `count(f)` and `dc(f)` (always set for `dc`). */
  readonly field?: string;
  /** The output field: the alias after `as`, else `count`, `count(f)` or `dc(f)`. */
  readonly name: string;
  /** Offset of the aggregate in the argument text. */
  readonly offset: number;
}

/** `stats AGG, AGG ... [by f1, f2]`. */
export interface StatsSpec {
  /** At least one. */
  readonly aggregates: readonly AggregateSpec[];
  /** The group-by fields; empty for one overall group. */
  readonly by: readonly string[];
}

/** One key of `sort`. */
export interface SortKeySpec {
  readonly field: string;
  readonly descending: boolean;
}

/** `sort [limit=N] [-]f1, [-]f2 ...`. */
export interface SortSpec {
  /** At least one. */
  readonly keys: readonly SortKeySpec[];
  /** Keep only the first N records after sorting (N ≥ 1). */
  readonly limit?: number;
}

/** `eval f = EXPR`. */
export interface EvalSpec {
  readonly field: string;
  readonly expr: Expr;
}

/** One pair of `rename a as b`: the field `from` becomes `to`. */
export interface RenamePairSpec {
  readonly from: string;
  readonly to: string;
  /** Offset of the pair in the argument text. */
  readonly offset: number;
}

/** `rename a as b, c as d`: at least one pair, applied left to right. */
export type RenameSpec = readonly RenamePairSpec[];

/** `top [limit=N] f1, f2 [by g1, g2]`. */
export interface TopSpec {
  /** The fields whose value combinations are counted (at least one). */
  readonly fields: readonly string[];
  /** The group-by fields; empty for one overall group. */
  readonly by: readonly string[];
  /** How many combinations to show per group (0: all); absent for the default. */
  readonly limit?: number;
}
