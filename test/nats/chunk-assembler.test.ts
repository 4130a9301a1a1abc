import { describe, expect, it } from 'vitest';
import { ChunkAssembler, ChunkError, parseChunkHeader } from '../../src/nats/chunk-assembler.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('ChunkAssembler', () => {
  it('returns the whole reply once every chunk came, in any order', () => {
    const assembler = new ChunkAssembler(3, 1024 * 1024);
    expect(assembler.add(2, 3, bytes('c'))).toBeUndefined();
    expect(assembler.add(0, 3, bytes('a'))).toBeUndefined();
    expect(assembler.add(1, 3, bytes('b'))?.toString()).toBe('abc');
  });

  it('takes a single chunk, even an empty one', () => {
    expect(new ChunkAssembler(1, 1024).add(0, 1, new Uint8Array(0))?.length).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN, 5])('refuses a count of %s (limit 4 KiB: at most 4 chunks)', (count) => {
    expect(() => new ChunkAssembler(count, 4 * 1024)).toThrow(new ChunkError(`bad chunk count ${count}`));
  });

  it('allows as many chunks as the limit holds at 1 KiB each', () => {
    expect(new ChunkAssembler(4, 4 * 1024).count).toBe(4);
    expect(new ChunkAssembler(5, 4 * 1024 + 1).count).toBe(5);
  });

  it('refuses a repeated chunk, one of another count, and one out of range', () => {
    const assembler = new ChunkAssembler(2, 1024 * 1024);
    assembler.add(0, 2, bytes('a'));
    expect(() => assembler.add(0, 2, bytes('a'))).toThrow('chunk 0 came twice');
    expect(() => assembler.add(1, 3, bytes('b'))).toThrow('bad chunk 1/3');
    expect(() => assembler.add(2, 2, bytes('b'))).toThrow('bad chunk 2/2');
    expect(() => assembler.add(-1, 2, bytes('b'))).toThrow('bad chunk -1/2');
    expect(assembler.add(1, 2, bytes('b'))?.toString()).toBe('ab');
  });

  it('refuses the chunk that takes the reply past its limit', () => {
    const assembler = new ChunkAssembler(2, 2048);
    expect(assembler.add(0, 2, bytes('x'.repeat(1024)))).toBeUndefined();
    let error: unknown;
    try {
      assembler.add(1, 2, bytes('x'.repeat(1025)));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ChunkError);
    expect(error).toMatchObject({ name: 'ChunkError', message: 'answer over 2048 bytes' });
    // Exactly at the limit is fine.
    const exact = new ChunkAssembler(2, 2048);
    exact.add(0, 2, bytes('x'.repeat(1024)));
    expect(exact.add(1, 2, bytes('y'.repeat(1024)))?.length).toBe(2048);
  });

  it('keeps its own copy of each chunk', () => {
    const assembler = new ChunkAssembler(2, 2048);
    const first = bytes('a');
    assembler.add(0, 2, first);
    first[0] = 0x7a;
    expect(assembler.add(1, 2, bytes('b'))?.toString()).toBe('ab');
  });
});

describe('parseChunkHeader', () => {
  it('reads i/n', () => {
    expect(parseChunkHeader('0/1')).toEqual({ index: 0, count: 1 });
    expect(parseChunkHeader('12/345')).toEqual({ index: 12, count: 345 });
    expect(parseChunkHeader('999999999/999999999')).toEqual({ index: 999_999_999, count: 999_999_999 });
  });

  it.each([undefined, '', '1', '1/', '/1', '-1/2', '1/2/3', ' 1/2', '1.0/2', '0x1/2', '1234567890/1'])('refuses %j', (text) => {
    expect(parseChunkHeader(text)).toBeUndefined();
  });
});
