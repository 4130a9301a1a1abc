#!/usr/bin/env node
/**
 * The `sentry-query` bin. Ctrl-C cancels the running query (a second one exits at once); the process then
 * ends on its own with the exit code of {@link runCli}.
 *
 * @packageDocumentation
 */
import { runAgent } from './run-agent.js';
import { runControl } from './run-control.js';
import { runNode } from './run-node.js';
import { runSimulate } from './run-simulate.js';
import { EXIT, runCli } from './run-cli.js';

const interrupt = new AbortController();
const onSigint = (): void => {
  if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
  interrupt.abort();
};
process.on('SIGINT', onSigint);
// A reader that goes away (EPIPE) must not crash the process with a stack trace; runCli stops the query.
process.stdout.on('error', () => undefined);

const argv = process.argv.slice(2);
const io = { stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal };
// `sentry-query agent|node|simulate ...` run a sentry, a connector or a simulated fleet; anything else is a query.
const subcommands = { agent: runAgent, control: runControl, node: runNode, simulate: runSimulate } as const;
const sub = subcommands[argv[0] as keyof typeof subcommands] as typeof runAgent | undefined;
const code = sub ? await sub(argv.slice(1), io) : await runCli(argv, io);
process.off('SIGINT', onSigint);
process.exitCode = code;
