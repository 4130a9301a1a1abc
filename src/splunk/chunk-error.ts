/**
 * The one error of Splunk's custom search command protocol v2 ("chunked"): what splunkd sent could not be read.
 *
 * @module
 */

/** What went wrong, for a caller that reacts by kind (the message is for people). */
export type SplunkChunkErrorKind =
  /** A header line that is not `chunked 1.0,<metadata bytes>,<body bytes>`. */
  | 'bad-header'
  /** Metadata that is not UTF-8 JSON text of an object, or an object that breaks the protocol. */
  | 'bad-metadata'
  /** A declared length over its cap (src/rpc/limits.ts). */
  | 'too-large'
  /** The stream ended inside a chunk: its header, metadata or body cut short. */
  | 'truncated'
  /** A body that is not CSV (an unterminated quoted field). */
  | 'bad-csv';

/**
 * A chunk splunkd sent could not be read. The message names the chunk (its 1-based number in the stream) and
 * says what was expected, so an operator reading search.log or the job inspector knows which side to look at.
 */
export class SplunkChunkError extends Error {
  /** Always `SplunkChunkError`. */
  override readonly name = 'SplunkChunkError';

  constructor(
    /** What went wrong, for a caller that reacts by kind. */
    readonly kind: SplunkChunkErrorKind,
    message: string,
  ) {
    super(message);
  }
}
