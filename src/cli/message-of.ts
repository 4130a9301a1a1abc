import { escapeControlCharacters } from '../runtime/untrusted-text.js';

/**
 * The one way the CLI words an error for a person: its message on one line, never a stack trace, control
 * characters written out (`\x1b`): a message may quote a node, a sentry or a file name. With
 * `SENTRY_QUERY_DEBUG=1` in the environment the stack is added, for whoever debugs the CLI itself.
 *
 * @example
 * ```ts
 * io.stderr.write(`error: ${messageOf(error)}\n`);
 * ```
 */
export function messageOf(error: unknown, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : String(error);
  const line = escapeControlCharacters(message.replace(/\s*\n\s*/g, ' ').trim()) || (error instanceof Error ? error.name : 'unknown error');
  if (env['SENTRY_QUERY_DEBUG'] === '1' && error instanceof Error && error.stack) return `${line}\n${error.stack}`;
  return line;
}
