/**
 * Reassembles the chunks of one reply (responder.ts): chunk `i/n` of a reply, in any order, each once; bounded
 * in count and bytes, so a broken or hostile responder cannot make the caller hold more than a reply's limit.
 *
 * @module
 */

/** A chunk that does not fit the reply it claims to be part of. */
export class ChunkError extends Error {
  /** Always `ChunkError`. */
  override readonly name = 'ChunkError';
}

/** The parts of one reply as they arrive. */
export class ChunkAssembler {
  readonly #parts: (Buffer | undefined)[];
  #received = 0;
  #bytes = 0;

  /**
   * @param count - the `n` of the first chunk; every chunk must say the same
   * @param limitBytes - most bytes the whole reply may have
   * @throws ChunkError when `count` is not a positive integer, or more chunks than the limit allows at 1 KiB each
   */
  constructor(
    readonly count: number,
    readonly limitBytes: number,
  ) {
    if (!Number.isInteger(count) || count < 1 || count > Math.ceil(limitBytes / 1024)) throw new ChunkError(`bad chunk count ${count}`);
    this.#parts = new Array<Buffer | undefined>(count);
  }

  /**
   * Adds chunk `index` of `count`.
   * @returns the whole reply once every chunk has come, else `undefined`
   * @throws ChunkError for a chunk out of range, repeated, of another count, or past the limit
   */
  add(index: number, count: number, data: Uint8Array): Buffer | undefined {
    if (count !== this.count || !Number.isInteger(index) || index < 0 || index >= count)
      throw new ChunkError(`bad chunk ${index}/${count}`);
    if (this.#parts[index] !== undefined) throw new ChunkError(`chunk ${index} came twice`);
    this.#bytes += data.length;
    if (this.#bytes > this.limitBytes) throw new ChunkError(`answer over ${this.limitBytes} bytes`);
    this.#parts[index] = Buffer.from(data);
    this.#received++;
    return this.#received === this.count ? Buffer.concat(this.#parts as Buffer[]) : undefined;
  }
}

/** Parses a chunk header `i/n`; `undefined` when it is not one. */
export function parseChunkHeader(text: string | undefined): { index: number; count: number } | undefined {
  const match = /^(\d{1,9})\/(\d{1,9})$/.exec(text ?? '');
  return match ? { index: Number(match[1]), count: Number(match[2]) } : undefined;
}
