import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { readKeysFile, writeKeysFile } from '../connector/key-file.js';
import { parseCommandLine } from './parse-command-line.js';
import { EXIT } from './exit-codes.js';
import { messageOf } from './message-of.js';
import type { CliIo } from './cli-io.js';
import { terminalSafeJson } from '../runtime/untrusted-text.js';

/** Random bytes of a new key: 24 (192 bits), written as 32 base64url characters (ASCII, no padding, no spaces). */
const KEY_BYTES = 24;

interface KeygenArguments {
  readonly guid?: string;
  readonly keys?: string;
  readonly rotate?: boolean;
}

/** The keys file's entries, or none when there is no file yet. */
async function existingKeys(path: string): Promise<Record<string, string>> {
  try {
    await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
  }
  return readKeysFile(path);
}

/**
 * `sentry-query keygen [--guid GUID --keys FILE [--rotate]]` prints a new random sentry key on stdout. With
 * `--guid` and `--keys` it also adds the key to the node's keys file (created if absent), atomically and with
 * mode 0600 (`writeKeysFile`); a guid that already has a key is refused unless `--rotate` is given. The node
 * takes the new file on SIGHUP.
 */
export async function runKeygen(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command()
    .name('sentry-query keygen')
    .description("Prints a new random sentry key; with --guid and --keys, also adds it to a node's keys file.")
    .option('--guid <guid>', 'the sentry the key is for (with --keys)')
    .option('--keys <file>', "the node's keys file to add the key to (created with mode 0600 if absent; replaced atomically)")
    .option('--rotate', 'replace the key of a guid that already has one')
    .addHelpText(
      'after',
      '\nExample:\n  (umask 077; sentry-query keygen --guid web-01 --keys keys.json > web-01.key)\n' +
        '  then copy web-01.key to web-01, and send SIGHUP to the node (kill -HUP PID) to load keys.json\n',
    );
  const parsed = await parseCommandLine<[KeygenArguments]>(program, argv, io);
  if (typeof parsed === 'number') return parsed;
  const [args] = parsed;
  if ((args.guid === undefined) !== (args.keys === undefined)) {
    io.stderr.write('error: --guid and --keys go together (the key of GUID is added to the keys file)\n');
    return EXIT.failure;
  }
  if (args.rotate && args.keys === undefined) {
    io.stderr.write('error: --rotate needs --guid and --keys\n');
    return EXIT.failure;
  }
  const key = randomBytes(KEY_BYTES).toString('base64url');
  if (args.guid !== undefined && args.keys !== undefined) {
    try {
      const keys = await existingKeys(args.keys);
      const rotating = Object.hasOwn(keys, args.guid);
      if (rotating && !args.rotate) {
        throw new Error(`${JSON.stringify(args.guid)} already has a key in ${args.keys}: give --rotate to replace it`);
      }
      await writeKeysFile(args.keys, { ...keys, [args.guid]: key });
      io.stderr.write(
        `${rotating ? 'rotated the key of' : 'added'} ${terminalSafeJson(args.guid)} in ${args.keys}; send SIGHUP to the node to load it\n`,
      );
    } catch (error) {
      io.stderr.write(`error: ${messageOf(error)}\n`);
      return EXIT.failure;
    }
  }
  io.stdout.write(`${key}\n`);
  return EXIT.ok;
}
