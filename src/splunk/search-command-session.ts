/**
 * One run of a Splunk custom search command (protocol v2): splunkd starts the process, sends `getinfo`, then
 * `execute` chunks, and reads one answer per chunk on stdout.
 *
 * - `getinfo`: who runs the search (the capability, through the backend), then the command parsed from the
 *   search's arguments. A parse error (23100, 23101, ...) is the answer's `error`, `"CODE MESSAGE"`, and the
 *   process exits 1, as splunklib's `_process_protocol_v2` does after `write_error`; otherwise the answer is the
 *   command's configuration (src/splunk/splunk-commands.ts).
 * - `execute` (a command that reads records): the chunk's records are fed to the command, which sends one RPC
 *   each through its bounded pool; once it has taken them all, the answer carries every record emitted so far
 *   and `finished: false`. The chunk with `finished: true` is answered once the command has ended (every call
 *   answered, failed or timed out), with the rest of the records and `finished: true`: one answer per chunk,
 *   mirroring `finished`, as splunklib's `_execute_v2` answers.
 * - `execute` (a generating command, `sentrylist`): at most `maxresultrows` records an answer, `finished: false`
 *   while more remain, as splunklib's `GeneratingCommand._execute_chunk_v2` pages.
 * - The last answer's `inspector.messages` say what happened (sentries asked, answered, failed and why), so the
 *   job inspector shows it; a failure to reach the sentries is an `ERROR` message there, and each record also says
 *   it in `_error` (the reference page's contract: failures never stop the query).
 * - splunkd closing stdin before `finished` (the search was cancelled, or `| head` has its records) stops the
 *   command at once: its calls in flight are aborted.
 *
 * Nothing but chunks is written on the output: splunkd reads it as the protocol.
 *
 * @module
 */
import type { Writable } from 'node:stream';
import { QueryParseError } from '../errors/query-parse-error.js';
import { driveCommand } from '../host/drive-command.js';
import type { CommandParser, QueryCommand, QueryDriver } from '../runtime/command.js';
import type { Row } from '../runtime/value.js';
import { SPLUNK_DEFAULT_MAX_RESULT_ROWS } from '../rpc/limits.js';
import { readChunks, type RawChunk } from './chunk-reader.js';
import { SplunkChunkError } from './chunk-error.js';
import {
  encodeChunk,
  executeReplyMetadata,
  getinfoReplyMetadata,
  readRequest,
  type InspectorMessage,
  type SearchInfo,
  type SplunkRequest,
} from './chunked-protocol.js';
import { formatRecords, parseRecords } from './mv-csv.js';
import { RecordFeed } from './record-feed.js';
import { unreachableAccess, type SentryAccess, type SessionBackend } from './session-backend.js';
import type { SplunkCommand } from './splunk-commands.js';
import { recordForSplunk, rowFromSplunk } from './splunk-values.js';
import { RunSummary } from './run-summary.js';

/** What a session needs: the command, what it runs against, and the streams splunkd gave the process. */
export interface SplunkSessionOptions {
  /** The command to run, as Splunk names it in commands.conf. */
  readonly command: SplunkCommand;
  /** What the command runs against: who the caller is, and the sentries (the offline scenario, or splunkd and the cluster). */
  readonly backend: SessionBackend;
  /** What splunkd sends (the process's stdin). */
  readonly input: AsyncIterable<Uint8Array | string>;
  /** Where the answers go (the process's stdout). */
  readonly output: Writable;
  /** Aborting it (SIGTERM) stops the command as splunkd closing stdin does. */
  readonly signal?: AbortSignal;
  /**
   * The environment commands fall back to.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** How the process should exit: 0 after a clean session (or a cancelled one), 1 after an error answer. */
export type SessionExitCode = 0 | 1;

/**
 * Runs one session to its end; resolves with the process's exit code. Never rejects: every failure is answered
 * on the protocol (the getinfo `error`, or an `ERROR` inspector message) before it resolves with 1.
 *
 * @example
 * ```ts
 * process.exitCode = await runSplunkSession({
 *   command: SPLUNK_COMMANDS.sentrynetstat,
 *   backend,
 *   input: process.stdin,
 *   output: process.stdout,
 * });
 * ```
 */
export async function runSplunkSession(options: SplunkSessionOptions): Promise<SessionExitCode> {
  return new SplunkSession(options).run();
}

/** Thrown inside the session once an error answer is written: the session ends with exit code 1. */
class Answered extends Error {}

class SplunkSession {
  readonly #options: SplunkSessionOptions;
  readonly #stop = new AbortController();
  readonly #summary: RunSummary;

  constructor(options: SplunkSessionOptions) {
    this.#options = options;
    this.#summary = new RunSummary(options.command.name);
  }

  async run(): Promise<SessionExitCode> {
    const { signal } = this.#options;
    const onAbort = (): void => this.#stop.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    const chunks = readChunks(this.#options.input)[Symbol.asyncIterator]();
    try {
      const first = await this.#next(chunks);
      if (first === undefined) return 0; // an empty stream: nothing was asked
      const command = await this.#getinfo(first);
      return await this.#execute(command, chunks);
    } catch (error) {
      if (error instanceof Answered) return 1;
      // splunkd went away (stdout closed) or a bug: the answer may not be writable, but try.
      await this.#answerError(`${this.#options.command.name}: ${messageOf(error)}`).catch(() => undefined);
      return 1;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // Stop reading stdin: the generator's finally leaves the stream to the process.
      void chunks.return?.(undefined).catch(() => undefined);
    }
  }

  /** The next chunk, or undefined at end of stream (or once stopped). A chunk that cannot be read is answered. */
  async #next(chunks: AsyncIterator<RawChunk>): Promise<RawChunk | undefined> {
    const stop = this.#stop.signal;
    if (stop.aborted) return undefined;
    // An abort (SIGTERM) must not wait for splunkd to close stdin: stop waiting for the next chunk at once.
    let onStop: (() => void) | undefined;
    const stopped = new Promise<undefined>((resolve) => {
      onStop = () => resolve(undefined);
      stop.addEventListener('abort', onStop, { once: true });
    });
    try {
      const step = await Promise.race([chunks.next(), stopped]);
      return step === undefined || step.done ? undefined : step.value;
    } catch (error) {
      if (error instanceof SplunkChunkError) await this.#answerError(error.message);
      throw error instanceof SplunkChunkError ? new Answered() : error;
    } finally {
      if (onStop) stop.removeEventListener('abort', onStop);
    }
  }

  /** Answers `getinfo`: who runs the search, the command parsed; returns the command, ready to drive. */
  async #getinfo(chunk: RawChunk): Promise<QueryCommand | QueryDriver> {
    const request = await this.#request(chunk);
    if (request.metadata.action !== 'getinfo') {
      await this.#answerError(
        `Splunk chunked protocol: the first chunk must be getinfo, not ${request.metadata.action} (is commands.conf's chunked = true?)`,
      );
      throw new Answered();
    }
    const searchInfo = request.metadata.searchinfo ?? {};
    const { command, backend } = this.#options;
    let session;
    try {
      session = await backend.caller(searchInfo, this.#stop.signal);
    } catch (error) {
      await this.#answerError(`${command.name}: ${messageOf(error)}`);
      throw new Answered();
    }
    let parsed: QueryCommand | QueryDriver;
    try {
      parsed = command.parser.parse({ session, config: backend.config, env: this.#options.env ?? process.env }, argumentText(searchInfo));
    } catch (error) {
      if (!(error instanceof QueryParseError)) throw error;
      await this.#answerError(`${error.code} ${error.message}`);
      throw new Answered();
    }
    this.#summary.maxResultRows = maxResultRows(searchInfo);
    await this.#write(encodeChunk(getinfoReplyMetadata(command.configuration)));
    return parsed;
  }

  /** Answers every `execute` chunk until the one with `finished: true`, or until splunkd closes the stream. */
  async #execute(parsed: QueryCommand | QueryDriver, chunks: AsyncIterator<RawChunk>): Promise<SessionExitCode> {
    const { command } = this.#options;
    const outbox: Row[] = [];
    const feed = new RecordFeed();
    let access: SentryAccess | undefined;
    let drive: Promise<unknown> | undefined;
    let driveFailure: { error: unknown } | undefined;
    try {
      for (let chunk = await this.#next(chunks); chunk !== undefined; chunk = await this.#next(chunks)) {
        const request = await this.#request(chunk);
        if (request.metadata.action !== 'execute') {
          await this.#answerError(`Splunk chunked protocol: expected an execute chunk after getinfo, not ${request.metadata.action}`);
          throw new Answered();
        }
        const finished = request.metadata.finished === true;
        if (drive === undefined) {
          access = await this.#connect();
          drive = driveCommand(alreadyParsed(command.parser, parsed), '', command.generating ? [] : feed, {
            session: { user: '', isAdmin: true }, // unused: the command was parsed at getinfo with the caller's session
            config: this.#options.backend.config,
            sentries: access.sentries,
            ...(access.cluster && { cluster: access.cluster }),
            signal: this.#stop.signal,
            onRecord: (row) => {
              this.#summary.record(row);
              outbox.push(row);
            },
          }).then(
            (outcome) => this.#summary.ended(outcome.pushed, outcome.reason),
            (error: unknown) => {
              driveFailure = { error };
            },
          );
        }
        if (command.generating) {
          await drive;
          if (driveFailure) throw driveFailure.error;
          const unreachable = this.#summary.unreachableReason;
          if (unreachable !== undefined) {
            // A generating command that can list nothing has failed: the search's error, not an empty result.
            await this.#answerError(`${command.name}: cannot reach the sentries: ${unreachable}`);
            throw new Answered();
          }
          const page = outbox.splice(0, this.#summary.maxResultRows);
          const done = outbox.length === 0;
          await this.#answer(page, done);
          if (done) return 0;
          continue;
        }
        let rows: Row[];
        try {
          rows = parseRecords(request.body).map(rowFromSplunk);
        } catch (error) {
          if (!(error instanceof SplunkChunkError)) throw error;
          await this.#answerError(error.message);
          throw new Answered();
        }
        feed.push(rows);
        if (finished) feed.end();
        await Promise.race([finished ? drive : feed.drained(), drive]);
        if (driveFailure) throw driveFailure.error;
        await this.#answer(outbox.splice(0), finished);
        if (finished) return 0;
      }
      // splunkd closed the stream before `finished`: the search was cancelled, or has what it needs.
      this.#stop.abort('cancel');
      feed.end();
      await drive;
      return 0;
    } finally {
      this.#stop.abort('cancel');
      await drive;
      await access?.close();
    }
  }

  /** The backend's sentries; when they cannot be reached, sentries whose every call fails with the reason. */
  async #connect(): Promise<SentryAccess> {
    try {
      return await this.#options.backend.connect(this.#stop.signal);
    } catch (error) {
      const reason = messageOf(error);
      this.#summary.unreachable(reason);
      return unreachableAccess(reason);
    }
  }

  /** The chunk's metadata checked; a chunk that breaks the protocol is answered with the reason. */
  async #request(chunk: RawChunk): Promise<SplunkRequest> {
    try {
      return readRequest(chunk);
    } catch (error) {
      if (!(error instanceof SplunkChunkError)) throw error;
      await this.#answerError(error.message);
      throw new Answered();
    }
  }

  /** One answer to an execute chunk: the records and `finished`; the last one says what happened. */
  async #answer(rows: readonly Row[], finished: boolean): Promise<void> {
    const messages: InspectorMessage[] = finished ? this.#summary.messages() : [];
    await this.#write(encodeChunk(executeReplyMetadata(finished, messages), formatRecords(rows.map(recordForSplunk))));
  }

  /**
   * The error answer: `error` (shown by splunkd as the search's error) and the same text as an `ERROR` inspector
   * message, `finished: true`.
   */
  async #answerError(message: string): Promise<void> {
    await this.#write(encodeChunk({ ...getinfoReplyMetadata({ error: message }, [['ERROR', message]]), finished: true }));
  }

  /** Writes a chunk, waiting while the pipe is full; rejects when splunkd closed it. */
  #write(bytes: Buffer): Promise<void> {
    const { output } = this.#options;
    return new Promise((resolve, reject) => {
      output.write(bytes, (error) => (error ? reject(error) : resolve()));
    });
  }
}

/** The command's argument text: what the user typed after the command's name, from `raw_args` (quotes kept). */
function argumentText(searchInfo: SearchInfo): string {
  const args = searchInfo.raw_args ?? searchInfo.args ?? [];
  return args.length === 0 ? '' : ` ${args.join(' ')}`;
}

function maxResultRows(searchInfo: SearchInfo): number {
  const value = Number(searchInfo.maxresultrows);
  return Number.isInteger(value) && value > 0 ? value : SPLUNK_DEFAULT_MAX_RESULT_ROWS;
}

/** A parser that returns `parsed`: the command was parsed at getinfo, with the caller's session. */
function alreadyParsed(parser: CommandParser, parsed: QueryCommand | QueryDriver): CommandParser {
  return { ...parser, parse: () => parsed };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
