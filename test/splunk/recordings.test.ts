// Replays public recordings of Splunk's custom search command protocol v2 ("chunked") through our reader (issue 14):
// every chunk is read, whole and in random pieces, each input chunk passes readRequest, every body parses with the
// record count and fields that an independent reader (Python's csv module over byte-length framing) found, each
// chunk re-encoded reads back the same, and a copy cut inside any chunk ends with a SplunkChunkError.
//
// The recordings are third-party data and are not in this repository: the workplace keeps data taken from public
// repositories in the steering repo's shared/ folder. They are looked for, in this order, in $SPLUNK_SCPV2_RECORDINGS,
// in shared/splunk-scpv2 beside the repository (where developers and CI find shared/), and in
// test/fixtures/splunk-scpv2; the NOTICE.md there names each file's source, commit, path and license.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SplunkChunkError } from '../../src/splunk/chunk-error.js';
import { ChunkReader, readChunks, type RawChunk } from '../../src/splunk/chunk-reader.js';
import { encodeChunk, readRequest } from '../../src/splunk/chunked-protocol.js';
import { parseRecords } from '../../src/splunk/mv-csv.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const candidates = [
  process.env.SPLUNK_SCPV2_RECORDINGS,
  join(repo, '..', 'shared', 'splunk-scpv2'),
  join(repo, 'test', 'fixtures', 'splunk-scpv2'),
];
const root = candidates.find((dir): dir is string => dir !== undefined && dir !== '' && existsSync(join(dir, 'NOTICE.md')));

/** What one chunk holds, as the independent reader counted it: records (rows after the header row) and fields (header, less `__mv_`). */
type Expected = [records: number, fields: string[]];

const TWEETS = ['_serial', '_time', 'text'];
const MULTIBYTE = ['_time', 'teststring'];
const RANDOM_DATA = [
  '_raw',
  '_time',
  'color',
  'date_hour',
  'date_mday',
  'date_minute',
  'date_month',
  'date_second',
  'date_wday',
  'date_year',
  'date_zone',
  'eventtype',
  'host',
  'index',
  'linecount',
  'punct',
  'source',
  'sourcetype',
  'splunk_server',
  'splunk_server_group',
  'timeendpos',
  'timestartpos',
  'value1',
  'value2',
];
const NONE: Expected = [0, []];
const TOTAL: Expected = [1, ['total']];

interface Recording {
  /** What splunkd sent (checked with readRequest), or what a command wrote. */
  side: 'input' | 'output';
  chunks: Expected[];
  /** A recording that ends inside a chunk: the message of the SplunkChunkError that ends it. */
  truncated?: string;
}

/** Every vendored stream, by `<source>/<file>`; a file on disk without an entry here (or the other way) fails. */
const RECORDINGS: Record<string, Recording> = {
  'splunk-sdk-python/countmatches.input.gz': { side: 'input', chunks: [NONE, [500, TWEETS]] },
  'splunk-sdk-python/countmatches.output': { side: 'output', chunks: [NONE, [500, [...TWEETS, 'word_count']]] },
  // The recorder kept the execute chunk's header and metadata but not its 150 bytes of body. splunklib's
  // `_read_chunk` would hand on the short read; our reader's contract is to refuse a stream that ends inside a chunk.
  'splunk-sdk-python/generatehello.input.gz': {
    side: 'input',
    chunks: [NONE],
    truncated:
      'the stream ended inside chunk 2: its header declared 43 bytes of metadata and 150 bytes of body, 43 of those 193 bytes came',
  },
  'splunk-sdk-python/generatehello.output': { side: 'output', chunks: [NONE, [1000, ['_time', 'event_no', '_raw']]] },
  'splunk-sdk-python/pypygeneratetext.input.gz': { side: 'input', chunks: [NONE] },
  'splunk-sdk-python/pypygeneratetext.output': { side: 'output', chunks: [NONE, [1000, ['_time', '_serial', '_raw']]] },
  'splunk-sdk-python/sum.map.input.gz': { side: 'input', chunks: [NONE, [50_000, RANDOM_DATA]] },
  'splunk-sdk-python/sum.map.output': { side: 'output', chunks: [NONE, TOTAL] },
  'splunk-sdk-python/sum.map.output.py3': { side: 'output', chunks: [NONE, TOTAL] },
  'splunk-sdk-python/sum.reduce.input.gz': { side: 'input', chunks: [NONE, TOTAL] },
  'splunk-sdk-python/sum.reduce.output': { side: 'output', chunks: [NONE, TOTAL] },
  'splunk-sdk-python/multibyte_input.gz': {
    side: 'input',
    chunks: [NONE, ...[6638, 5861, 1, 6574, 5926, 6412, 6088, 1741, 1441].map((n): Expected => [n, MULTIBYTE])],
  },
  'splunk-sdk-python/TestInternals.test_record_writer_with_recordings.1443154424.42.output.gz': {
    side: 'output',
    chunks: [[31, ['_serial', '_time', 'random_bytes', 'random_dict', 'random_integers', 'random_unicode']]],
  },
};

/** Streams this small are also read one byte at a time. */
const BYTE_BY_BYTE_LIMIT = 64 * 1024;

interface Replay {
  chunks: RawChunk[];
  error?: SplunkChunkError;
}

/** Pushes the pieces through one ChunkReader and ends it; a SplunkChunkError is kept (with the chunks before it), any other error thrown. */
function replay(pieces: Iterable<Uint8Array>): Replay {
  const reader = new ChunkReader();
  const chunks: RawChunk[] = [];
  try {
    for (const piece of pieces) chunks.push(...reader.push(piece));
    reader.end();
    return { chunks };
  } catch (error) {
    if (!(error instanceof SplunkChunkError)) throw error;
    return { chunks, error };
  }
}

function* split(bytes: Buffer, cuts: number[]): Generator<Buffer> {
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    yield bytes.subarray(at, cut);
    at = cut;
  }
  yield bytes.subarray(at);
}

/** Where each chunk lies, found without ChunkReader: a header line (after CR, LF, space or tab), then its declared lengths. */
interface Frame {
  header: number;
  payload: number;
  metadata: number;
  body: number;
}

function frames(bytes: Buffer): Frame[] {
  const text = bytes.toString('latin1');
  const header = /[\r\n\t ]*(chunked\s+1\.0\s*,\s*(\d+)\s*,\s*(\d+)[^\S\n]*\n)/y;
  const found: Frame[] = [];
  let at = 0;
  for (;;) {
    header.lastIndex = at;
    const match = header.exec(text);
    if (match === null) return found;
    const frame = {
      header: header.lastIndex - (match[1] as string).length,
      payload: header.lastIndex,
      metadata: +match[2]!,
      body: +match[3]!,
    };
    found.push(frame);
    at = frame.payload + frame.metadata + frame.body;
    if (at > bytes.length) return found;
  }
}

async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function readCut(bytes: Buffer): Promise<{ read: number; error: unknown }> {
  let read = 0;
  try {
    for await (const chunk of readChunks(pieces(bytes, 4096))) {
      expect(chunk.metadata).toBeTypeOf('object');
      read++;
    }
  } catch (error) {
    return { read, error };
  }
  return { read, error: undefined };
}

function load(name: string): Buffer {
  const bytes = readFileSync(join(root as string, name));
  return name.endsWith('.gz') ? gunzipSync(bytes) : bytes;
}

function listed(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((source) =>
      readdirSync(join(dir, source.name))
        .filter((file) => /\.(input|output)|_input\.gz$/.test(file))
        .map((file) => `${source.name}/${file}`),
    )
    .sort();
}

describe.skipIf(root === undefined)(`public SCP v2 recordings (${root ?? `not found in ${candidates.filter(Boolean).join(', ')}`})`, () => {
  it('has expectations for exactly the recordings on disk', () => {
    expect(listed(root as string)).toEqual(Object.keys(RECORDINGS).sort());
  });

  describe.each(Object.entries(RECORDINGS))('%s', (name, recording) => {
    // Loaded once per file, when its tests run (describe bodies run at collection, so load lazily).
    let cached: { bytes: Buffer; whole: Replay } | undefined;
    const stream = () => {
      if (cached === undefined) {
        const bytes = load(name);
        cached = { bytes, whole: replay([bytes]) };
      }
      return cached;
    };

    it('reads every chunk: whole, split at random points and (small files) byte by byte, the same chunks each way', () => {
      const { bytes, whole } = stream();
      expect(whole.chunks).toHaveLength(recording.chunks.length);
      expect(frames(bytes)).toHaveLength(recording.chunks.length + (recording.truncated === undefined ? 0 : 1));
      if (recording.truncated === undefined) expect(whole.error).toBeUndefined();
      else expect(whole.error?.message).toContain(recording.truncated);
      fc.assert(
        fc.property(fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), { maxLength: 16 }), (cuts) => {
          expect(replay(split(bytes, cuts))).toEqual(whole);
        }),
        { numRuns: bytes.length > 1024 * 1024 ? 3 : 30 },
      );
      if (bytes.length <= BYTE_BY_BYTE_LIMIT) {
        expect(replay(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)))).toEqual(whole);
      }
    });

    it.runIf(recording.side === 'input')('every chunk from splunkd passes readRequest: a getinfo first, then execute chunks', () => {
      const requests = stream().whole.chunks.map((chunk) => readRequest(chunk));
      expect(requests.map((request) => request.metadata.action)).toEqual(requests.map((_, i) => (i === 0 ? 'getinfo' : 'execute')));
    });

    it('every body parses, with the record count and fields the independent reader found', () => {
      const counted = stream().whole.chunks.map((chunk): Expected => {
        const records = parseRecords(chunk.body);
        const fields = [...new Set(records.flatMap((record) => Object.keys(record)))];
        return [records.length, fields];
      });
      // Field order: Object.keys puts integer-like names first; none of these recordings has one.
      expect(counted).toEqual(recording.chunks);
    });

    it('each chunk re-encoded with encodeChunk reads back with the same metadata, body and so records', () => {
      const { chunks } = stream().whole;
      const again = replay([Buffer.concat(chunks.map((chunk) => encodeChunk(chunk.metadata, chunk.body)))]);
      expect(again.error).toBeUndefined();
      // The same body text parses to the same records (parseRecords is a function of the text alone).
      expect(again.chunks).toEqual(chunks);
    });

    it('a copy cut inside any chunk ends with a SplunkChunkError that says what is missing, never another error', async () => {
      const { bytes } = stream();
      const complete = frames(bytes).filter((frame) => frame.payload + frame.metadata + frame.body <= bytes.length);
      for (const [index, frame] of complete.entries()) {
        const number = index + 1;
        const total = frame.metadata + frame.body;
        const inPayload = [0, frame.metadata >> 1, frame.metadata, frame.metadata + (frame.body >> 1), total - 1].filter(
          (got, i, all) => got < total && all.indexOf(got) === i,
        );
        const cuts: Array<[number, string]> = [
          [frame.header + 1, `the stream ended inside the header of chunk ${number} ("c" without its end of line)`],
          ...inPayload.map((got): [number, string] => [
            frame.payload + got,
            `the stream ended inside chunk ${number}: its header declared ${frame.metadata} bytes of metadata and ` +
              `${frame.body} bytes of body, ${got} of those ${total} bytes came`,
          ]),
        ];
        for (const [cut, message] of cuts) {
          const { read, error } = await readCut(bytes.subarray(0, cut));
          expect(error, `cut at byte ${cut}`).toBeInstanceOf(SplunkChunkError);
          expect((error as SplunkChunkError).kind).toBe('truncated');
          expect((error as SplunkChunkError).message).toContain(message);
          expect(read).toBe(index);
        }
      }
    });
  });
});
