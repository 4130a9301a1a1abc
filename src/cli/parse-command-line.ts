import { CommanderError, type Command } from 'commander';
import { EXIT, type CliIo } from './run-cli.js';

/**
 * Parses `argv` with a subcommand's `program`, set up the way every `sentry-query` subcommand wants: output on
 * the given streams, usage errors on one line, no `process.exit`. Resolves with the parsed options, or with
 * the exit code when commander has already printed help (0) or a usage error (1).
 */
export async function parseCommandLine<Options>(program: Command, argv: readonly string[], io: CliIo): Promise<Options | number> {
  let options: Options | undefined;
  program
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Commander adds suggestions on a second line ("(Did you mean --connect?)"): keep one line.
      outputError: (text, write) => write(`${text.replace(/\s*\n\s*/g, ' ').trim()}\n`),
    })
    .action((opts: Options) => { options = opts; });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.failure;
    throw error;
  }
  return options ?? EXIT.failure;
}
