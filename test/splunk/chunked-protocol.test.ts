// The protocol's metadata (checked with zod), the chunks a command writes, and a write → read round trip of
// records through chunks split at random points.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SplunkChunkError } from '../../src/splunk/chunk-error.js';
import { ChunkReader } from '../../src/splunk/chunk-reader.js';
import { encodeChunk, executeReplyMetadata, getinfoReplyMetadata, readRequest } from '../../src/splunk/chunked-protocol.js';
import { formatRecords, parseRecords } from '../../src/splunk/mv-csv.js';

describe('readRequest', () => {
  it('accepts getinfo with its searchinfo and keeps the fields it does not know', () => {
    const request = readRequest({
      metadata: {
        action: 'getinfo',
        preview: false,
        searchinfo: { args: ['scope=all'], earliest_time: '0', app: 'search', session_key: 'k' },
        extra: 1,
      },
      body: '',
    });
    expect(request.metadata.action).toBe('getinfo');
    expect(request.metadata.searchinfo?.args).toEqual(['scope=all']);
    expect(request.metadata.searchinfo?.['session_key']).toBe('k');
    expect(request.metadata['extra']).toBe(1);
  });

  it('refuses an unknown action, a wrong type, and a getinfo with a body', () => {
    const refused = (metadata: Record<string, unknown>, body = ''): string => {
      try {
        readRequest({ metadata, body });
      } catch (error) {
        expect(error).toBeInstanceOf(SplunkChunkError);
        return (error as Error).message;
      }
      throw new Error('expected a refusal');
    };
    expect(refused({ action: 'dance' })).toContain('action');
    expect(refused({})).toContain('action');
    expect(refused({ action: 'execute', finished: 'yes' })).toContain('finished');
    expect(refused({ action: 'getinfo', searchinfo: { args: 'a' } })).toContain('searchinfo.args');
    expect(refused({ action: 'getinfo' }, 'a\r\n1\r\n')).toContain('getinfo chunk came with a body');
  });
});

describe('encodeChunk', () => {
  it('writes the header, compact ASCII-only JSON without null entries, then the body', () => {
    const chunk = encodeChunk(executeReplyMetadata(true, [['ERROR', 'café 🚀']]), 'é');
    const metadata = '{"inspector":{"messages":[["ERROR","caf\\u00e9 \\ud83d\\ude80"]]},"finished":true}';
    expect(chunk.toString('utf8')).toBe(`chunked 1.0,${metadata.length},2\n${metadata}é`);
    expect(encodeChunk({ type: 'streaming', generating: true, inspector: null, x: undefined }).toString()).toBe(
      'chunked 1.0,38,0\n{"type":"streaming","generating":true}',
    );
    expect(getinfoReplyMetadata({ type: 'events' }, [['WARN', 'w']])).toEqual({ type: 'events', inspector: { messages: [['WARN', 'w']] } });
    expect(executeReplyMetadata(false)).toEqual({ finished: false });
  });
});

const fieldName = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).filter((name) => !name.startsWith('__mv_'));
const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const value = fc.oneof(text, fc.array(text, { minLength: 2, maxLength: 4 }));

describe('write → read round trip', () => {
  it('records survive formatRecords → encodeChunk → ChunkReader (any split points) → parseRecords', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fieldName, { minLength: 1, maxLength: 5 }),
        fc.array(fc.array(value, { minLength: 5, maxLength: 5 }), { minLength: 0, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (fields, rows, cuts) => {
          const records = rows.map((row) => Object.fromEntries(fields.map((name, i) => [name, row[i] as string | string[]])));
          const stream = Buffer.concat([
            encodeChunk({ action: 'execute', finished: false }, formatRecords(records)),
            Buffer.from('\r\n'),
            encodeChunk({ action: 'execute', finished: true }, formatRecords(records.slice(1))),
          ]);
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const reader = new ChunkReader();
          const chunks = [0, ...points].flatMap((start, i) => reader.push(stream.subarray(start, points[i] ?? stream.length)));
          reader.end();
          expect(chunks.map((c) => c.metadata)).toEqual([
            { action: 'execute', finished: false },
            { action: 'execute', finished: true },
          ]);
          expect(chunks.map((c) => parseRecords(c.body))).toEqual([records, records.slice(1)]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
