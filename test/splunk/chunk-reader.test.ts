// The chunk reader of Splunk's protocol v2: byte lengths, chunks split and glued, what lies between chunks, and
// the errors an operator sees (malformed header, oversize lengths, a stream cut inside a chunk).
import { describe, expect, it } from 'vitest';
import { SplunkChunkError } from '../../src/splunk/chunk-error.js';
import { ChunkReader, readChunks, type RawChunk } from '../../src/splunk/chunk-reader.js';
import { encodeChunk } from '../../src/splunk/chunked-protocol.js';

function readAll(pieces: Array<Buffer | string>, reader = new ChunkReader()): RawChunk[] {
  const chunks = pieces.flatMap((piece) => reader.push(piece));
  reader.end();
  return chunks;
}

function errorOf(run: () => unknown): SplunkChunkError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SplunkChunkError);
    return error as SplunkChunkError;
  }
  throw new Error('expected a SplunkChunkError');
}

const getinfo = encodeChunk({ action: 'getinfo', searchinfo: { search: '| sentrynetstat été 日本 🚀', args: [] } });
const execute = encodeChunk({ action: 'execute', finished: true }, 'name,__mv_name\r\nété 日本 🚀,\r\n');

describe('ChunkReader', () => {
  it('counts lengths in UTF-8 bytes (é, 日本, emoji)', () => {
    const body = 'é日本🚀';
    const chunk = encodeChunk({ action: 'execute' }, body);
    expect(chunk.toString('utf8').startsWith(`chunked 1.0,20,${2 + 6 + 4}\n`)).toBe(true);
    expect(readAll([chunk])).toEqual([{ metadata: { action: 'execute' }, body }]);
    // A header that counts characters instead of bytes is caught: the body is 4 characters but 12 bytes, so the
    // reader takes 4 bytes and what is left is a next header that never ends.
    const wrong = Buffer.from(`chunked 1.0,2,4\n{}${body}`, 'utf8');
    expect(errorOf(() => readAll([wrong])).message).toContain('inside the header of chunk 2');
  });

  it('reads a two-chunk stream split at every byte offset', () => {
    const stream = Buffer.concat([getinfo, execute]);
    const whole = readAll([stream]);
    expect(whole).toHaveLength(2);
    expect(whole[0]?.metadata).toEqual({ action: 'getinfo', searchinfo: { search: '| sentrynetstat été 日本 🚀', args: [] } });
    expect(whole[1]?.body).toBe('name,__mv_name\r\nété 日本 🚀,\r\n');
    for (let at = 0; at <= stream.length; at++) {
      expect(readAll([stream.subarray(0, at), stream.subarray(at)])).toEqual(whole);
    }
    // And one byte at a time.
    expect(readAll(Array.from(stream, (byte) => Buffer.from([byte])))).toEqual(whole);
  });

  it('returns every chunk of a read that holds several', () => {
    const reader = new ChunkReader();
    expect(reader.push(Buffer.concat([getinfo, execute, execute]))).toHaveLength(3);
    reader.end();
  });

  it('skips CR/LF and blank lines between chunks, and before the first', () => {
    const chunks = readAll([
      Buffer.concat([Buffer.from('\r\n\n'), getinfo, Buffer.from('\r\n'), Buffer.from(' \t\n\n'), execute, Buffer.from('\n')]),
    ]);
    expect(chunks.map((c) => c.metadata.action)).toEqual(['getinfo', 'execute']);
  });

  it('accepts a header ending in CR LF and with spaces, as splunklib’s pattern does', () => {
    expect(readAll(['chunked  1.0 , 2 , 0 \r\n{}'])).toEqual([{ metadata: {}, body: '' }]);
  });

  it('reads an empty body as an empty string', () => {
    expect(readAll([encodeChunk({ action: 'execute', finished: true })])).toEqual([
      { metadata: { action: 'execute', finished: true }, body: '' },
    ]);
  });

  it('a getinfo-only session: one chunk, then end of stream, is fine; so is an empty stream', () => {
    expect(readAll([getinfo])).toHaveLength(1);
    expect(readAll([])).toEqual([]);
  });

  it('refuses a body declared but missing, saying how much came', () => {
    const declared = Buffer.from('chunked 1.0,2,10\n{}abc');
    const error = errorOf(() => readAll([declared]));
    expect(error.kind).toBe('truncated');
    expect(error.message).toContain('ended inside chunk 1');
    expect(error.message).toContain('2 bytes of metadata and 10 bytes of body, 5 of those 12 bytes came');
    expect(errorOf(() => readAll([getinfo, 'chunked 1.0,2,0'])).message).toContain('inside the header of chunk 2');
  });

  it('refuses oversize declared lengths from the header, before buffering', () => {
    const reader = new ChunkReader({ metadataBytes: 100, bodyBytes: 1000 });
    const error = errorOf(() => reader.push('chunked 1.0,101,0\n'));
    expect(error.kind).toBe('too-large');
    expect(error.message).toContain('101 bytes of metadata, over the limit of 100');
    const body = errorOf(() => new ChunkReader({ bodyBytes: 1000 }).push('chunked 1.0,2,1001\n'));
    expect(body.kind).toBe('too-large');
    expect(body.message).toContain('body of 1001 bytes, over the limit of 1000');
    // The default caps (src/rpc/limits.ts): a length of 20 digits is refused, not read.
    expect(errorOf(() => new ChunkReader().push('chunked 1.0,2,99999999999999999999\n')).kind).toBe('too-large');
  });

  it('refuses a malformed header, naming chunked = true', () => {
    for (const header of ['chunked 2.0,2,0\n', 'chunked 1.0,-1,0\n', 'chunked 1.0,2\n', 'authString:abc\n', 'chunked 1x0,2,0\n']) {
      const error = errorOf(() => new ChunkReader().push(header));
      expect(error.kind).toBe('bad-header');
      expect(error.message).toContain('malformed header of chunk 1');
      expect(error.message).toContain('chunked = true');
    }
    // A line that never ends is refused at the header cap, not buffered.
    expect(errorOf(() => new ChunkReader().push('x'.repeat(200))).message).toContain('no end of line within 128 bytes');
  });

  it('refuses metadata that is not a JSON object, or not UTF-8 JSON', () => {
    for (const metadata of ['[]', 'null', '42', '"s"']) {
      const error = errorOf(() => readAll([`chunked 1.0,${metadata.length},0\n${metadata}`]));
      expect(error.kind).toBe('bad-metadata');
      expect(error.message).toContain('not a JSON object');
    }
    expect(errorOf(() => readAll(['chunked 1.0,3,0\n{x}'])).message).toContain('not UTF-8 JSON text');
    expect(errorOf(() => readAll(['chunked 1.0,0,0\n'])).kind).toBe('bad-metadata');
    // Where it failed, never the text around it (a getinfo's metadata holds the session key; newer V8s quote it).
    const broken = '{"searchinfo":{"session_key":"KEY-0123456789" x}}';
    const jsonError = errorOf(() => readAll([`chunked 1.0,${broken.length},0\n${broken}`]));
    expect(jsonError.message).toMatch(/is not UTF-8 JSON text: not valid JSON \(at character \d+\)$/);
    expect(jsonError.message).not.toContain('KEY-0123456789');
    expect(errorOf(() => readAll([Buffer.concat([Buffer.from('chunked 1.0,3,0\n"'), Buffer.from([0xff]), Buffer.from('"')])])).kind).toBe(
      'bad-metadata',
    );
  });

  it('readChunks reads an async stream of pieces and reports a cut stream at its end', async () => {
    async function* pieces(...list: Array<Buffer | string>): AsyncGenerator<Buffer | string> {
      yield* list;
    }
    const chunks: RawChunk[] = [];
    for await (const chunk of readChunks(pieces(getinfo.subarray(0, 7), getinfo.subarray(7), execute))) chunks.push(chunk);
    expect(chunks).toHaveLength(2);
    const cut = async (): Promise<void> => {
      for await (const chunk of readChunks(pieces(getinfo, execute.subarray(0, 30)))) void chunk;
    };
    await expect(cut()).rejects.toThrow(/ended inside chunk 2/);
  });
});
