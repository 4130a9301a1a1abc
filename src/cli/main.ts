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
import { messageOf } from './message-of.js';
import { MODES, modeNamed, type Mode } from './modes.js';
import type * as AgentOnceModule from './agent-once.js';

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

const argv = process.argv.slice(2);
const io = { stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal };
// `sentry-query MODE ...` runs that mode (MODES), `sentry-query help [MODE]` shows a help page, anything else is a
// query.
const sub =
  argv[0] === 'help'
    ? async () => (await import('./run-help.js')).runHelp
    : argv[0] === 'agent' && argv.includes('--once')
      ? loadAgentOnce
      : modeNamed(argv[0])?.load;
try {
  process.exitCode = sub ? await (await sub())(argv.slice(1), io) : await (await import('./run-cli.js')).runCli(argv, io);
} catch (error) {
  fail(error, sub ? `${argv[0]} failed` : 'the query failed');
}
process.off('SIGINT', onSigint);
process.off('SIGTERM', onSigint);

/**
 * `agent ... --once ...`: a one-shot process whose start-up is most of its time, so it runs from one bundled
 * file, dist/agent-once.mjs (scripts/bundle-agent-once.mjs, part of the build: one file to read instead of ~30
 * modules to resolve), or from agent-once.js where there is no bundle (the sources under a test). A command
 * line agent-once.ts does not take as is (help, a usage error) goes to the full `agent` mode.
 */
async function loadAgentOnce(): Promise<Mode> {
  let once: typeof AgentOnceModule;
  try {
    // A URL, not a literal: the bundle is a build output beside dist/src, unknown to tsc.
    once = (await import(new URL('../../agent-once.mjs', import.meta.url).href)) as typeof AgentOnceModule;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    once = await import('./agent-once.js');
  }
  return async (args, io) => (await once.runAgentOnce(args, io)) ?? (await MODES.agent!.load())(args, io);
}
