#!/usr/bin/env node
/**
 * The `sentry-query` bin. Ctrl-C cancels the running query (a second one exits at once); the process then
 * ends on its own with the exit code of the mode it ran (`runCli` for a query).
 *
 * Every failure reaches the user as one `error: …` line on stderr and exit code 1, never a stack trace: the
 * modes word their own errors, and what escapes them (a bug) is caught here, including an exception or
 * rejection nobody handled while a node or agent runs.
 *
 * @packageDocumentation
 */
import { EXIT } from './exit-codes.js';
import type { CliIo } from './cli-io.js';
import { messageOf } from './message-of.js';

/** The last resort: one line, exit 1. */
function fail(error: unknown, what: string): never {
  process.stderr.write(`error: ${what}: ${messageOf(error)}\n`);
  process.exit(EXIT.failure);
}
process.on('uncaughtException', (error) => fail(error, 'internal error'));
process.on('unhandledRejection', (error) => fail(error, 'internal error'));

const interrupt = new AbortController();
const onSigint = (): void => {
  if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
  interrupt.abort();
};
process.on('SIGINT', onSigint);
// A service manager stops with SIGTERM: the same clean stop (a data node says goodbye to the cluster at once).
process.on('SIGTERM', onSigint);
// A reader that goes away (EPIPE) must not crash the process with a stack trace; runCli stops the query.
process.stdout.on('error', () => undefined);

type Mode = (argv: readonly string[], io: CliIo) => Promise<number>;

// `sentry-query agent|control|node|simulate|nats-user ...` run a sentry, a control node, a connector or a simulated
// fleet, or issue a NATS user;
// anything else is a query. Only the module of the mode asked for is loaded: `agent --once` is a one-shot
// process whose start-up counts, and must not pay for ws, the query engine or the cluster code.
const subcommands: Readonly<Record<string, () => Promise<Mode>>> = {
  agent: async () => (await import('./run-agent.js')).runAgent,
  control: async () => (await import('./run-control.js')).runControl,
  keygen: async () => (await import('./run-keygen.js')).runKeygen,
  node: async () => (await import('./run-node.js')).runNode,
  'nats-user': async () => (await import('./run-nats-user.js')).runNatsUser,
  simulate: async () => (await import('./run-simulate.js')).runSimulate,
};
const argv = process.argv.slice(2);
const io = { stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal };
const sub = argv[0] !== undefined && Object.hasOwn(subcommands, argv[0]) ? subcommands[argv[0]] : undefined;
try {
  process.exitCode = sub ? await (await sub())(argv.slice(1), io) : await (await import('./run-cli.js')).runCli(argv, io);
} catch (error) {
  fail(error, sub ? `${argv[0]} failed` : 'the query failed');
}
process.off('SIGINT', onSigint);
process.off('SIGTERM', onSigint);
