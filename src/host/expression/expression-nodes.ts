import type { Expr } from '../query-ast.js';

/**
 * Every node of `expr`, parents before children, walked with a stack rather than recursion: a flat chain of
 * 5,000 `or` terms nests 5,000 levels on its left side, and costs no call depth here.
 */
export function* expressionNodes(expr: Expr): Generator<Expr> {
  const stack: Expr[] = [expr];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    yield node;
    if (node.kind === 'unary') stack.push(node.operand);
    else if (node.kind === 'binary') stack.push(node.right, node.left);
    else if (node.kind === 'call') stack.push(...[...node.args].reverse());
  }
}
