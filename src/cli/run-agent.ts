import { Command, CommanderError, Option } from 'commander';
import { hostname } from 'node:os';
import { collectConnections } from '../agent/collect-connections.js';
import { netstatRows } from '../commands/netstat-answer.js';
import { createRecordWriter, OUTPUT_FORMATS, type OutputFormat } from './output-format.js';
import { EXIT, type CliIo } from './run-cli.js';

/**
 * `sentry-query agent --once [--guid GUID] [--format table|jsonl|csv]`: prints this host's connections in the
 * records `sentry-netstat` emits (a netstat with our schema), then exits. The long-running agent that connects
 * to a connector (`--connect`) is not built yet; asking for it says so.
 */
export async function runAgent(argv: readonly string[], io: CliIo): Promise<number> {
  let options: { once?: boolean; guid: string; format?: OutputFormat } | undefined;
  const program = new Command()
    .name('sentry-query agent')
    .description("Prints this host's network connections (--once).")
    .option('--once', "print this host's connections and exit")
    .option('--guid <guid>', 'the guid field of the records', hostname())
    .addOption(new Option('--format <format>', 'output format (default: table on a terminal, else jsonl)').choices(OUTPUT_FORMATS))
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`${text.replace(/\s*\n\s*/g, ' ').trim()}\n`),
    })
    .action((opts: { once?: boolean; guid: string; format?: OutputFormat }) => { options = opts; });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.failure;
    throw error;
  }
  if (!options) return EXIT.failure;
  if (!options.once) {
    io.stderr.write('error: only --once is available yet (connecting to a connector with --connect comes with the agent work)\n');
    return EXIT.failure;
  }
  const { connections, rejected } = await collectConnections();
  // Entries systeminformation gave that we could not read are said, not silently dropped.
  if (rejected.length > 0) io.stderr.write(`warning: ${rejected.length} entries skipped (first: ${rejected[0]})\n`);
  // Through the same validation as a sentry's answer: what we print is what sentry-netstat would emit.
  const rows = netstatRows(options.guid, connections);
  const writer = createRecordWriter(options.format ?? (io.stdout.isTTY === true ? 'table' : 'jsonl'), io.stdout);
  for (const row of rows) await writer.write(row);
  await writer.end();
  return EXIT.ok;
}
