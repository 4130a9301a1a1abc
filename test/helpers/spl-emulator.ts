/**
 * Just enough of a Splunk search head to run the searches docs/commands/splunk.md shows: the app's commands run
 * as real protocol v2 sessions (src/splunk, the code Splunk runs), fed and read back as CSV chunks; the few
 * Splunk built-ins the page uses around them are emulated here (`fields`, `search field="value"`, `table`).
 * It stands for splunkd only in the tests: a built-in it does not know is an error, not a guess.
 */
import { runSplunkSession } from '../../src/splunk/search-command-session.js';
import type { SessionBackend } from '../../src/splunk/session-backend.js';
import { splunkCommandNamed } from '../../src/splunk/splunk-commands.js';
import { formatRecords, type SplunkRecord } from '../../src/splunk/mv-csv.js';
import { encodeChunk } from '../../src/splunk/chunked-protocol.js';
import { execute, getinfo, SessionPipes } from './splunk-session.js';

/** Splits `| a x=1 | b "y|z"` into its commands, keeping `|` inside double quotes. */
function commandsOf(search: string): string[] {
  const parts = search.match(/(?:[^|"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** The words of a command's arguments, double-quoted ones unquoted. */
function argumentsOf(text: string): string[] {
  return [...text.matchAll(/(\w+)="([^"]*)"|"([^"]*)"|([^\s,]+)/g)].map((m) => (m[1] !== undefined ? `${m[1]}=${m[2]}` : (m[3] ?? m[4]!)));
}

/** Runs the search as `user`; resolves with the final records, or rejects with the search's error. */
export async function runSplunkSearch(search: string, backend: SessionBackend, user = 'admin'): Promise<SplunkRecord[]> {
  let records: SplunkRecord[] = [];
  for (const command of commandsOf(search)) {
    const [name = '', ...rest] = command.split(/\s+/);
    const args = argumentsOf(rest.join(' '));
    const ours = splunkCommandNamed(name);
    if (ours) {
      records = await session(name, args, records, ours.generating, backend, user);
    } else if (name === 'fields' || name === 'table') {
      records = records.map((r) => Object.fromEntries(args.filter((f) => f in r).map((f) => [f, r[f]!])));
    } else if (name === 'search' && args.length === 1 && args[0]!.includes('=')) {
      const [field, value] = args[0]!.split('=') as [string, string];
      records = records.filter((r) => r[field] === value);
    } else {
      throw new Error(`the emulated search head does not know: ${command}`);
    }
  }
  return records;
}

async function session(
  name: string,
  args: string[],
  input: SplunkRecord[],
  generating: boolean,
  backend: SessionBackend,
  user: string,
): Promise<SplunkRecord[]> {
  const pipes = new SessionPipes();
  const stdin = pipes.input;
  const done = runSplunkSession({ command: splunkCommandNamed(name)!, backend, input: stdin, output: pipes.output });
  stdin.write(getinfo(user, args));
  if (generating) {
    // splunkd asks again while the command answers finished: false.
    let ended = false;
    void done.then(() => (ended = true));
    for (let asked = 2; !ended; asked++) {
      stdin.write(execute('', false));
      await Promise.race([pipes.waitFor(asked), done]);
      if (pipes.answers().at(-1)?.metadata['finished'] === true) break;
    }
  } else {
    stdin.write(encodeChunk({ action: 'execute', finished: true }, formatRecords(input)));
  }
  stdin.end();
  await done;
  const answers = pipes.answers();
  const error = answers.find((a) => a.metadata['error'] !== undefined)?.metadata['error'];
  if (typeof error === 'string') throw new Error(error);
  return answers.slice(1).flatMap((a) => a.records);
}
