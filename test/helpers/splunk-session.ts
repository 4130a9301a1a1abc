/** Driving a Splunk command session in tests: chunks in as splunkd writes them, answers out as splunkd reads them. */
import { spawn } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { ChunkReader, type RawChunk } from '../../src/splunk/chunk-reader.js';
import { encodeChunk } from '../../src/splunk/chunked-protocol.js';
import { parseRecords, type SplunkRecord } from '../../src/splunk/mv-csv.js';
import { BIN } from './child-cli.js';

/** A sentry's LISTEN connection on 0.0.0.0:`port`, as a scenario or a mock sentry holds it (wire form). */
export const listening = (pid: number, port: number): Record<string, unknown> => ({
  pid,
  protocol: 'tcp',
  local_ip: '0.0.0.0',
  local_port: port,
  remote_ip: '0.0.0.0',
  remote_port: 0,
  state: 'LISTEN',
});

/** A getinfo chunk as splunkd sends it: the user and the arguments typed after the command's name. */
export function getinfo(username: string, args: readonly string[] = [], extra: Record<string, unknown> = {}): Buffer {
  return encodeChunk({
    action: 'getinfo',
    preview: false,
    searchinfo: {
      args,
      raw_args: args,
      username,
      owner: username,
      app: 'sentry_netstat',
      sid: '1764777600.42',
      search: 'search',
      dispatch_dir: '/opt/splunk/var/run/splunk/dispatch/1764777600.42',
      splunkd_uri: 'https://127.0.0.1:8089',
      session_key: 'not-a-real-key',
      splunk_version: '9.4.0',
      earliest_time: '0',
      latest_time: '0',
      ...extra,
    },
  });
}

/** An execute chunk whose body is `csv` (CRLF rows as splunkd writes them). */
export function execute(csv: string, finished: boolean): Buffer {
  return encodeChunk({ action: 'execute', finished }, csv);
}

/** A CSV body with one `guid` column. */
export function guidsCsv(guids: readonly string[]): string {
  return ['guid', ...guids.map((g) => (/[",\r\n]/.test(g) ? `"${g.replace(/"/g, '""')}"` : g))].map((line) => `${line}\r\n`).join('');
}

/** One answer of the command, read back. */
export interface Answer {
  readonly metadata: Record<string, unknown>;
  readonly records: SplunkRecord[];
}

/** Reads the chunks the command wrote. */
export function readAnswers(bytes: Buffer): Answer[] {
  const reader = new ChunkReader();
  const chunks: RawChunk[] = reader.push(bytes);
  reader.end();
  return chunks.map((c) => ({ metadata: c.metadata, records: parseRecords(c.body) }));
}

/** The messages of an answer's inspector. */
export function inspectorMessages(answer: Answer | undefined): [string, string][] {
  const inspector = answer?.metadata['inspector'] as { messages?: [string, string][] } | undefined;
  return inspector?.messages ?? [];
}

/**
 * A duplex pair for a session in this process: write chunks to `input` (end it as splunkd closes stdin), read
 * what the command answered from `answers()`, and wait for a given number of answers with `waitFor`.
 */
export class SessionPipes {
  readonly input = new PassThrough();
  #bytes: Buffer[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];
  readonly output = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      this.#bytes.push(chunk);
      this.#wake();
      done();
    },
  });

  answers(): Answer[] {
    return readAnswers(Buffer.concat(this.#bytes));
  }

  /** Resolves once at least `count` answers are out. */
  waitFor(count: number): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push({ count, resolve });
      this.#wake();
    });
  }

  #wake(): void {
    const have = this.#safeCount();
    this.#waiters = this.#waiters.filter((w) => {
      if (have < w.count) return true;
      w.resolve();
      return false;
    });
  }

  #safeCount(): number {
    try {
      return this.answers().length;
    } catch {
      return 0;
    }
  }
}

/** What a `sentry-query splunk` process did. */
export interface SplunkProcessRun {
  readonly code: number | null;
  readonly answers: Answer[];
  readonly stderr: string;
}

/** Runs the built `sentry-query splunk ARGS` as splunkd does: `stdin` written to it then closed, its answers read back. */
export function runSplunkProcess(
  args: readonly string[],
  stdin: readonly Buffer[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<SplunkProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'splunk', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdin.on('error', () => undefined); // it may exit (an error answer) before reading everything
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, answers: readAnswers(Buffer.concat(out)), stderr }));
    for (const chunk of stdin) child.stdin.write(chunk);
    child.stdin.end();
  });
}
