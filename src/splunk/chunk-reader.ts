/**
 * Reading the chunks of Splunk's custom search command protocol v2 ("chunked") from a byte stream.
 *
 * A chunk is a header line `chunked 1.0,<metadata bytes>,<body bytes>\n`, then that many bytes of metadata (a JSON
 * object) and that many bytes of body (CSV records, src/splunk/mv-csv.ts); lengths count UTF-8 bytes, not
 * characters. Taken from splunk/splunk-sdk-python, splunklib/searchcommands/search_command.py:
 * `SearchCommand._read_chunk` (readline, the `_header` pattern
 * `chunked\s+1.0\s*,\s*(\d+)\s*,\s*(\d+)\s*\n`, then `read(metadata_length)` decoded as JSON and
 * `read(body_length)` decoded as UTF-8 with `errors="replace"`) and `_execute_v2` (chunks until end of stream).
 *
 * Differences, all on the side of tolerance or safety:
 * - Whitespace (CR, LF, spaces, tabs) between chunks is skipped, as the SDK's own test reader does
 *   (tests/unit/searchcommands/chunked_data_stream.py, `ChunkedDataStream.read_chunk`: "Skip empty lines");
 *   `_read_chunk` would refuse a blank line as a header.
 * - Declared lengths over the caps of src/rpc/limits.ts are refused from the header, before buffering.
 * - A stream that ends inside a chunk is an error (`_read_chunk` would return what `read` gave, short).
 * - Metadata that is not a JSON object (an array, a number, `null`) is an error.
 *
 * @module
 */
import { SPLUNK_CHUNK_BODY_LIMIT_BYTES, SPLUNK_CHUNK_HEADER_LIMIT_BYTES, SPLUNK_CHUNK_METADATA_LIMIT_BYTES } from '../rpc/limits.js';
import { SplunkChunkError } from './chunk-error.js';

/** One chunk as it came: its metadata (a JSON object, not yet checked against a schema) and its body text. */
export interface RawChunk {
  /** The metadata, parsed from JSON: always an object, its keys unchecked (src/splunk/chunked-protocol.ts checks them). */
  metadata: Record<string, unknown>;
  /** The body, decoded as UTF-8: CSV records, or empty (a getinfo chunk). */
  body: string;
}

/** Caps on what one chunk may declare, in bytes; the defaults are those of src/rpc/limits.ts. */
export interface ChunkReaderLimits {
  /**
   * Largest metadata a chunk may declare; a header over it is refused (`too-large`) before anything is buffered.
   * @default SPLUNK_CHUNK_METADATA_LIMIT_BYTES
   */
  metadataBytes?: number;
  /**
   * Largest body a chunk may declare; a header over it is refused (`too-large`) before anything is buffered.
   * @default SPLUNK_CHUNK_BODY_LIMIT_BYTES
   */
  bodyBytes?: number;
}

/** The header line, once its trailing `\n` is cut: splunklib's `_header` pattern with the `.` of `1.0` escaped. */
const HEADER = /^chunked\s+1\.0\s*,\s*(\d+)\s*,\s*(\d+)\s*$/;

const LF = 0x0a;
/** Bytes skipped between chunks: LF, CR, space, tab. */
const BETWEEN_CHUNKS = new Set([LF, 0x0d, 0x20, 0x09]);

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns bytes arriving in any pieces into chunks: {@link ChunkReader.push} each piece as it comes (a piece may
 * hold several chunks, or a part of one), then {@link ChunkReader.end} at end of stream. The pieces a chunk
 * spans are kept, not copied, until it is complete: don't reuse a Buffer after pushing it.
 */
export class ChunkReader {
  readonly #metadataLimit: number;
  readonly #bodyLimit: number;
  /** Chunks read so far (complete ones); the current chunk's number is this + 1. */
  #count = 0;
  /** The current header line so far, while no header is complete. */
  #header: Buffer[] = [];
  #headerLength = 0;
  /** The current chunk's declared lengths, once its header is read. */
  #declared: { metadata: number; body: number } | undefined;
  /** The current chunk's metadata and body bytes so far. */
  #payload: Buffer[] = [];
  #payloadLength = 0;

  constructor(limits: ChunkReaderLimits = {}) {
    this.#metadataLimit = limits.metadataBytes ?? SPLUNK_CHUNK_METADATA_LIMIT_BYTES;
    this.#bodyLimit = limits.bodyBytes ?? SPLUNK_CHUNK_BODY_LIMIT_BYTES;
  }

  /** Reads the next piece of the stream; returns the chunks it completes (none, one or several). Throws {@link SplunkChunkError}. */
  push(piece: Uint8Array | string): RawChunk[] {
    const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    const chunks: RawChunk[] = [];
    let at = 0;
    while (at < bytes.length) {
      const declared = this.#declared;
      if (declared === undefined) {
        if (this.#headerLength === 0) {
          while (at < bytes.length && BETWEEN_CHUNKS.has(bytes[at] as number)) at++;
          if (at === bytes.length) break;
        }
        const newline = bytes.indexOf(LF, at);
        const end = newline === -1 ? bytes.length : newline;
        if (this.#headerLength + (end - at) > SPLUNK_CHUNK_HEADER_LIMIT_BYTES) {
          const line = Buffer.concat([...this.#header, bytes.subarray(at, Math.min(end, at + SPLUNK_CHUNK_HEADER_LIMIT_BYTES))]);
          throw this.#badHeader(line, `no end of line within ${SPLUNK_CHUNK_HEADER_LIMIT_BYTES} bytes`);
        }
        this.#header.push(bytes.subarray(at, end));
        this.#headerLength += end - at;
        if (newline === -1) break;
        at = newline + 1;
        this.#declared = this.#readHeader(Buffer.concat(this.#header));
        this.#header = [];
        this.#headerLength = 0;
      } else {
        const total = declared.metadata + declared.body;
        const take = Math.min(total - this.#payloadLength, bytes.length - at);
        this.#payload.push(bytes.subarray(at, at + take));
        this.#payloadLength += take;
        at += take;
      }
      if (this.#declared !== undefined && this.#payloadLength === this.#declared.metadata + this.#declared.body) {
        chunks.push(this.#complete(this.#declared));
      }
    }
    return chunks;
  }

  /** The stream ended: fine between chunks (also before the first), a {@link SplunkChunkError} inside one. */
  end(): void {
    const number = this.#count + 1;
    if (this.#declared !== undefined) {
      const { metadata, body } = this.#declared;
      throw new SplunkChunkError(
        'truncated',
        `Splunk chunked protocol: the stream ended inside chunk ${number}: its header declared ${metadata} bytes of metadata and ` +
          `${body} bytes of body, ${this.#payloadLength} of those ${metadata + body} bytes came`,
      );
    }
    if (this.#headerLength > 0) {
      throw new SplunkChunkError(
        'truncated',
        `Splunk chunked protocol: the stream ended inside the header of chunk ${number} ` +
          `(${JSON.stringify(Buffer.concat(this.#header).toString('utf8'))} without its end of line)`,
      );
    }
  }

  #readHeader(line: Buffer): { metadata: number; body: number } {
    const match = HEADER.exec(line.toString('latin1'));
    if (match === null) throw this.#badHeader(line, 'expected "chunked 1.0,<metadata bytes>,<body bytes>"');
    const metadata = Number(match[1]);
    const body = Number(match[2]);
    const number = this.#count + 1;
    if (metadata > this.#metadataLimit) {
      throw new SplunkChunkError(
        'too-large',
        `Splunk chunked protocol: chunk ${number} declares ${match[1]} bytes of metadata, over the limit of ${this.#metadataLimit}; refused before reading it`,
      );
    }
    if (body > this.#bodyLimit) {
      throw new SplunkChunkError(
        'too-large',
        `Splunk chunked protocol: chunk ${number} declares a body of ${match[2]} bytes, over the limit of ${this.#bodyLimit}; refused before reading it ` +
          '(lower maxresultrows for this command, or the records are unexpectedly wide)',
      );
    }
    return { metadata, body };
  }

  #badHeader(line: Buffer, why: string): SplunkChunkError {
    const text = JSON.stringify(line.subarray(0, 60).toString('utf8')) + (line.length > 60 ? '...' : '');
    return new SplunkChunkError(
      'bad-header',
      `Splunk chunked protocol: malformed header of chunk ${this.#count + 1}: ${text}, ${why} ` +
        '(is the command declared with chunked = true in commands.conf?)',
    );
  }

  #complete(declared: { metadata: number; body: number }): RawChunk {
    const payload = Buffer.concat(this.#payload, this.#payloadLength);
    this.#payload = [];
    this.#payloadLength = 0;
    this.#declared = undefined;
    this.#count++;
    const number = this.#count;
    let metadata: unknown;
    try {
      metadata = JSON.parse(strictUtf8.decode(payload.subarray(0, declared.metadata)));
    } catch (error) {
      // Not V8's own message: it quotes the text around the fault, and a getinfo's metadata holds the search's
      // session key. Only where it failed.
      const position = /position (\d+)/.exec((error as Error).message)?.[1];
      const what =
        error instanceof SyntaxError ? `not valid JSON${position === undefined ? '' : ` (at character ${position})`}` : 'not UTF-8';
      throw new SplunkChunkError(
        'bad-metadata',
        `Splunk chunked protocol: the metadata of chunk ${number} (${declared.metadata} bytes) is not UTF-8 JSON text: ${what}`,
      );
    }
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      throw new SplunkChunkError(
        'bad-metadata',
        `Splunk chunked protocol: the metadata of chunk ${number} is ${Array.isArray(metadata) ? 'an array' : String(metadata)}, not a JSON object`,
      );
    }
    // Like `_read_chunk` (`ensure_str(body, errors="replace")`): bytes that are not UTF-8 read as U+FFFD.
    const body = payload.subarray(declared.metadata).toString('utf8');
    return { metadata: metadata as Record<string, unknown>, body };
  }
}

/** The chunks of a whole stream (stdin from splunkd), in order; throws {@link SplunkChunkError} as {@link ChunkReader} does. */
export async function* readChunks(source: AsyncIterable<Uint8Array | string>, limits?: ChunkReaderLimits): AsyncGenerator<RawChunk> {
  const reader = new ChunkReader(limits);
  for await (const piece of source) yield* reader.push(piece);
  reader.end();
}
