import type { Writable } from 'node:stream';
import type { OutputStream } from './output-format.js';

/** Where the CLI reads its interruption from and writes to. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: Writable;
  /** Aborted on SIGINT: the running query is cancelled and the exit code is 130. */
  readonly signal?: AbortSignal;
}
