import type { Writable } from 'node:stream';
import type { OutputStream } from './output-format.js';

/** Where the CLI reads its interruption from and writes to. */
export interface CliIo {
  readonly stdout: OutputStream;
  /** Where messages go; `isTTY`: a terminal, which gets a progress line during a fan-out. */
  readonly stderr: Writable & { readonly isTTY?: boolean };
  /** Aborted on SIGINT: the running query is cancelled and the exit code is 130. */
  readonly signal?: AbortSignal;
}
