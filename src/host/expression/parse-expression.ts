import { ERRORS } from '../../errors/codes.js';
import { QueryParseError } from '../../errors/query-parse-error.js';
import type { Expr } from '../query-ast.js';
import { expressionNodes } from './expression-nodes.js';
import { QUERY_FUNCTIONS } from './functions.js';
import { parseArguments } from './parse-arguments.js';

/**
 * Reads the expression of `search` or `where` and checks its function calls (90003 at the call: an unknown
 * name, a wrong number of arguments, a literal argument that cannot work such as a malformed network).
 *
 * @example
 * ```ts
 * parseExpression('where', ' cidrmatch("10.0.0.0/8", remote_ip)');
 * ```
 */
export function parseExpression(command: string, argText: string): Expr {
  return checkFunctions(command, parseArguments(command, argText, 'Expression'));
}

/** Throws 90003 for the first call in `expr` that cannot run; returns `expr`. */
export function checkFunctions(command: string, expr: Expr): Expr {
  for (const node of expressionNodes(expr)) {
    if (node.kind !== 'call') continue;
    const fn = QUERY_FUNCTIONS.get(node.name);
    const fail = (offset: number, detail: string): never => {
      throw new QueryParseError(ERRORS.INVALID_ARGUMENTS, offset, command, detail);
    };
    if (!fn) fail(node.offset, `unknown function ${node.name}() (the functions are: ${[...QUERY_FUNCTIONS.keys()].join(', ')})`);
    else if (node.args.length !== fn.arity) fail(node.offset, `${node.name}() takes ${fn.arity} arguments: ${fn.syntax}`);
    else {
      node.args.forEach((arg, index) => {
        if (arg.kind !== 'literal') return;
        const problem = fn.checkLiteral?.(index, arg);
        if (problem !== undefined) fail(arg.offset, `${node.name}(): ${problem}`);
      });
    }
  }
  return expr;
}
