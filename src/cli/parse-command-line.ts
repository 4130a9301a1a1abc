import { CommanderError, type Command } from 'commander';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './cli-io.js';

/**
 * Parses `argv` with `program`, set up the way every `sentry-query` command line wants: output on the given
 * streams, usage errors on one line, no `process.exit`. Resolves with the action's arguments (positional
 * arguments, then the options), or with the exit code when commander has already printed help (0) or a usage
 * error (1).
 */
export async function parseCommandLine<Args extends unknown[]>(
  program: Command,
  argv: readonly string[],
  io: CliIo,
): Promise<Args | number> {
  let actionArgs: Args | undefined;
  program
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Commander adds suggestions on a second line ("(Did you mean --scenario?)"): keep one line.
      outputError: (text, write) => write(`${text.replace(/\s*\n\s*/g, ' ').trim()}\n`),
    })
    .action((...args: unknown[]) => {
      actionArgs = args as Args;
    });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.failure;
    throw error;
  }
  return actionArgs ?? EXIT.failure;
}
