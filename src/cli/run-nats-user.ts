import { Command, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { createUser } from '@nats-io/nkeys';
import { natsUserEntry, type NatsRole } from '../nats/permissions.js';
import { NODE_NAME_PATTERN, DIRECT_NODE } from '../nats/subjects.js';
import { parseCommandLine } from './parse-command-line.js';
import { EXIT } from './exit-codes.js';
import { messageOf } from './message-of.js';
import type { CliIo } from './cli-io.js';

interface NatsUserArguments {
  readonly role: 'node' | 'control' | 'agent';
  readonly name?: string;
  readonly guid?: string;
  readonly out: string;
}

/**
 * `sentry-query nats-user --role node|control|agent [--name NODE | --guid GUID] --out FILE` issues a NATS user
 * for one role: it writes a new nkey seed to FILE (mode 0600, never overwriting) and prints the entry to paste
 * into the servers' `authorization { users = [ … ] }`, with the role's permissions (src/nats/permissions.ts).
 * The seed stays on the machine that will use it: NATS only ever sees a signature made with it.
 */
export async function runNatsUser(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command()
    .name('sentry-query nats-user')
    .description('Issues a NATS user (an nkey seed file and its server entry) for a data node, a control node or a direct agent.')
    .addOption(new Option('--role <role>', 'what the user is').choices(['node', 'control', 'agent']).makeOptionMandatory())
    .option('--name <node>', 'the data node name (with --role node)')
    .option('--guid <guid>', 'the sentry guid (with --role agent)')
    .requiredOption('--out <file>', 'where to write the seed (created with mode 0600; an existing file is not overwritten)')
    .addHelpText(
      'after',
      '\nExample:\n  sentry-query nats-user --role agent --guid web-01 --out web-01.nk >> users.conf\n' +
        '  then list the printed entries in nats-server.conf: authorization { users = [ <entries, comma-separated> ] }\n',
    );
  const parsed = await parseCommandLine<[NatsUserArguments]>(program, argv, io);
  if (typeof parsed === 'number') return parsed;
  const [args] = parsed;
  let role: NatsRole;
  if (args.role === 'node') {
    if (args.name === undefined || !NODE_NAME_PATTERN.test(args.name) || args.name === DIRECT_NODE) {
      io.stderr.write(`error: --role node needs --name NODE (letters, digits, - and _, at most 64; not "${DIRECT_NODE}")\n`);
      return EXIT.failure;
    }
    role = { role: 'node', name: args.name };
  } else if (args.role === 'agent') {
    if (args.guid === undefined || args.guid === '') {
      io.stderr.write('error: --role agent needs --guid GUID\n');
      return EXIT.failure;
    }
    role = { role: 'agent', guid: args.guid };
  } else role = { role: 'control' };
  const user = createUser();
  const publicKey = user.getPublicKey();
  try {
    await writeFile(args.out, `${new TextDecoder().decode(user.getSeed())}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    io.stderr.write(`error: cannot write ${args.out}: ${messageOf(error)}\n`);
    return EXIT.failure;
  } finally {
    user.clear();
  }
  io.stdout.write(`${natsUserEntry(publicKey, role)}\n`);
  return EXIT.ok;
}
