import type { z } from 'zod';

/** A zod issue's path as people write it: `sentries[2].connections[0].local_port`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/** `PATH: MESSAGE (got INPUT)` for one issue (the input when zod was asked to report it). */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issuePath(issue.path);
  const got = 'input' in issue && issue.input !== undefined ? ` (got ${preview(issue.input)})` : '';
  return `${path ? `${path}: ` : ''}${issue.message}${got}`;
}

function preview(input: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(input) ?? String(input);
  } catch {
    text = String(input);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
