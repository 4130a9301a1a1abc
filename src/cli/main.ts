#!/usr/bin/env node
/**
 * The `sentry-query` bin. Ctrl-C cancels the running query (a second one exits at once); the process then
 * ends on its own with the exit code of the mode it ran (`runCli` for a query).
 *
 * @packageDocumentation
 */
import { EXIT } from './exit-codes.js';
import type { CliIo } from './cli-io.js';

const interrupt = new AbortController();
const onSigint = (): void => {
  if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
  interrupt.abort();
};
process.on('SIGINT', onSigint);
// A reader that goes away (EPIPE) must not crash the process with a stack trace; runCli stops the query.
process.stdout.on('error', () => undefined);

type Mode = (argv: readonly string[], io: CliIo) => Promise<number>;

// `sentry-query agent|control|node|simulate ...` run a sentry, a control node, a connector or a simulated fleet;
// anything else is a query. Only the module of the mode asked for is loaded: `agent --once` is a one-shot
// process whose start-up counts, and must not pay for ws, the query engine or the cluster code.
const subcommands: Readonly<Record<string, () => Promise<Mode>>> = {
  agent: async () => (await import('./run-agent.js')).runAgent,
  control: async () => (await import('./run-control.js')).runControl,
  node: async () => (await import('./run-node.js')).runNode,
  simulate: async () => (await import('./run-simulate.js')).runSimulate,
};
const argv = process.argv.slice(2);
const io = { stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal };
const sub = argv[0] !== undefined && Object.hasOwn(subcommands, argv[0]) ? subcommands[argv[0]] : undefined;
const code = sub ? await (await sub())(argv.slice(1), io) : await (await import('./run-cli.js')).runCli(argv, io);
process.off('SIGINT', onSigint);
process.exitCode = code;
