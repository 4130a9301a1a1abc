#!/usr/bin/env node
/**
 * The `sentry-query` bin. Ctrl-C cancels the running query (a second one exits at once); the process then
 * ends on its own with the exit code of {@link runCli}.
 *
 * @packageDocumentation
 */
import { EXIT, runCli } from './run-cli.js';

const interrupt = new AbortController();
const onSigint = (): void => {
  if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
  interrupt.abort();
};
process.on('SIGINT', onSigint);
// A reader that goes away (EPIPE) must not crash the process with a stack trace; runCli stops the query.
process.stdout.on('error', () => undefined);

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal });
process.off('SIGINT', onSigint);
process.exitCode = code;
