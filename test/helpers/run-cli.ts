/**
 * `sentry-query ARGS` in this process, through `runCli(argv, io)`: the same code as the bin, minus the process
 * (argument parsing, the host, the writers, exit codes), for tests that need no real process.
 */
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.js';

/** What the CLI printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A stream that keeps what is written; `onWrite` sees the text so far. */
class Capture extends Writable {
  text = '';
  constructor(
    private readonly onWrite?: (text: string) => void,
    readonly isTTY = false,
  ) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.onWrite?.(this.text);
    done();
  }
}

/** Runs the CLI on `argv`; `options.onStdout` sees stdout as it grows (e.g. to interrupt once a line is out). */
export async function runCliInProcess(
  argv: readonly string[],
  options: { signal?: AbortSignal; onStdout?: (text: string) => void; isTTY?: boolean } = {},
): Promise<CliResult> {
  const stdout = new Capture(options.onStdout, options.isTTY ?? false);
  const stderr = new Capture();
  const code = await runCli(argv, { stdout, stderr, ...(options.signal && { signal: options.signal }) });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
