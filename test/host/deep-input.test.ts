// Deep input in a query (issue 11): nesting past QUERY_NESTING_LIMIT is a coded parse error (90004) at the
// level too many, not "Maximum call stack size exceeded"; long flat chains are evaluated in a loop, at any
// length, with the same results as the nested form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MockHost } from '../../sdk-mock/index.js';
import { ERRORS } from '../../src/errors/codes.js';
import { evaluate } from '../../src/host/expression/evaluate.js';
import { parseArguments } from '../../src/host/expression/parse-arguments.js';
import type { Expr } from '../../src/host/query-ast.js';
import { QueryParseError, type Row } from '../../src/index.js';
import { QUERY_NESTING_LIMIT } from '../../src/rpc/limits.js';

const host = new MockHost({ sentries: [{ guid: 'a' }, { guid: 'b' }] });

async function run(query: string): Promise<Row[]> {
  const rows: Row[] = [];
  await host.start(query, { onRecord: (row) => void rows.push(row) }).done;
  return rows;
}

/** The parse error `query` fails with. */
async function parseError(query: string): Promise<QueryParseError> {
  const error: unknown = await run(query).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(QueryParseError);
  return error as QueryParseError;
}

const SEARCH = 'sentry | search ';

describe('nesting in a query', () => {
  it.each([
    ['1,000 parentheses', '(', 1_000, (n: number) => `${'('.repeat(n)}guid == "a"${')'.repeat(n)}`],
    ['20,000 nots', 'not ', 20_000, (n: number) => `${'not '.repeat(n)}guid != "a"`],
    ['20,000 unary minuses', '- ', 20_000, (n: number) => `${'- '.repeat(n)}1 == 0`],
  ] as const)('%s: 90004 where the level too many opens', async (_name, opener, count, text) => {
    const error = await parseError(SEARCH + text(count));
    expect(error.code).toBe(ERRORS.NESTING_TOO_DEEP.code);
    expect(error.offset).toBe(SEARCH.length + QUERY_NESTING_LIMIT * opener.length);
    expect(error.message).toBe(`Arguments of 'search' nested too deeply at offset ${error.offset}: at most ${QUERY_NESTING_LIMIT} levels.`);
  });

  it('takes nesting up to the limit, and the same text with a syntax error is 90003 (the count survives backtracking)', async () => {
    const n = QUERY_NESTING_LIMIT;
    expect(await run(`${SEARCH}${'('.repeat(n)}guid == "a"${')'.repeat(n)}`)).toMatchObject([{ guid: 'a' }]);
    expect(await run(`${SEARCH}${'not '.repeat(n)}guid == "a"`)).toMatchObject([{ guid: 'a' }]); // an even number of nots
    expect((await parseError(`${SEARCH}${'('.repeat(n)}guid == "a"${')'.repeat(n - 1)}`)).code).toBe(ERRORS.INVALID_ARGUMENTS.code);
    // Many failed attempts at `(` (each a backtrack) in one query, then a legal nesting of the limit.
    const alternatives = Array.from({ length: 3 * n }, () => '(guid) == "x"').join(' or ');
    expect(await run(`${SEARCH}${alternatives} or ${'('.repeat(n)}guid == "b"${')'.repeat(n)}`)).toMatchObject([{ guid: 'b' }]);
  });

  it('eval: 90004 too', async () => {
    const error = await parseError(`sentry | eval n = ${'('.repeat(1_000)}1${')'.repeat(1_000)}`);
    expect(error.code).toBe(ERRORS.NESTING_TOO_DEEP.code);
    expect(error.message).toMatch(/^Arguments of 'eval' nested too deeply/);
  });

  it('json: 90004 for a text nested deeper than the limit, at its opening quote', async () => {
    const deep = (n: number): string => `${'{\\"a\\":'.repeat(n)}1${'}'.repeat(n)}`;
    const error = await parseError(`json "${deep(100_000)}"`);
    expect(error.code).toBe(ERRORS.NESTING_TOO_DEEP.code);
    expect(error.offset).toBe('json '.length);
    expect(await run(`json "${deep(QUERY_NESTING_LIMIT)}"`)).toHaveLength(1);
    expect((await parseError(`json "${deep(QUERY_NESTING_LIMIT + 1)}"`)).code).toBe(ERRORS.NESTING_TOO_DEEP.code);
    expect((await parseError(`json "[${deep(QUERY_NESTING_LIMIT)}]"`)).code).toBe(ERRORS.NESTING_TOO_DEEP.code);
  });
});

describe('long chains', () => {
  const terms = (n: number, term: (i: number) => string, op: string): string =>
    Array.from({ length: n }, (_, i) => term(i)).join(` ${op} `);

  it('a 5,000-term or chain is evaluated, not a stack overflow', async () => {
    expect(await run(`${SEARCH}${terms(5_000, (i) => `guid == "x${i}"`, 'or')} or guid == "b"`)).toMatchObject([{ guid: 'b' }]);
  });

  it('a 5,000-term and chain, and + and * chains', async () => {
    expect(await run(`${SEARCH}${terms(5_000, () => 'guid != "b"', 'and')}`)).toMatchObject([{ guid: 'a' }]);
    const [row] = await run(`sentry | search guid == "a" | eval n = ${terms(5_000, () => '1', '+')}`);
    expect(row?.['n']).toBe(5_000);
    const [product] = await run(`sentry | search guid == "a" | eval n = ${terms(5_000, () => '1', '*')} * 7`);
    expect(product?.['n']).toBe(7);
  });

  it('keeps left-to-right order and precedence', async () => {
    const [row] = await run('sentry | search guid == "a" | eval n = 1 - 2 - 3 + 10 * 2 / 4 % 3 - 8 / 2 / 2');
    expect(row?.['n']).toBe(1 - 2 - 3 + (((10 * 2) / 4) % 3) - 8 / 2 / 2);
  });

  // The three-valued logic over a chain, against the nested definition (a reference evaluator here).
  it('and/or chains give what the nested form gives (property)', () => {
    const reference = (expr: Expr, row: Row): unknown => {
      if (expr.kind === 'literal') return expr.value;
      if (expr.kind === 'field') return row[expr.name] ?? null;
      if (expr.kind !== 'binary' || (expr.op !== 'and' && expr.op !== 'or')) throw new Error('not in the generator');
      const decisive = expr.op === 'or';
      const left = reference(expr.left, row);
      if (left === decisive) return decisive;
      const right = reference(expr.right, row);
      if (right === decisive) return decisive;
      return left === !decisive && right === !decisive ? !decisive : null;
    };
    const operand = fc.constantFrom('true', 'false', 'null', 'x', 'y', '(true or null)', '(x and false)');
    const chain = fc.tuple(operand, fc.array(fc.tuple(fc.constantFrom('and', 'or'), operand), { maxLength: 8 }));
    fc.assert(
      fc.property(chain, fc.constantFrom(true, false, 'text', null), ([head, tail], x) => {
        const text = ` ${head}${tail.map(([op, term]) => ` ${op} ${term}`).join('')}`;
        const expr = parseArguments('search', text, 'Expression');
        const row: Row = { x, y: 1 };
        expect(evaluate(expr, row)).toEqual(reference(expr, row));
      }),
      { numRuns: 2_000 },
    );
  });
});
