// The CLI's record writers (src/cli/output-format.ts): what jsonl, csv and table print, count, end(), and backpressure.
import { Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRecordWriter, OUTPUT_FORMATS, writeText } from '../../src/cli/output-format.js';
import { IpAddress } from '../../src/runtime/ip-address.js';
import type { Row } from '../../src/runtime/value.js';

/**
 * A stream that keeps what it is given. With `hold`, each write stays unacknowledged until `release()`, so a
 * small `highWaterMark` fills up and `write` returns false, as a pipe to a slow reader does.
 */
class Sink extends Writable {
  readonly chunks: string[] = [];
  isTTY?: boolean;
  readonly #hold: boolean;
  #callbacks: Array<() => void> = [];

  constructor(options: { isTTY?: boolean; hold?: boolean; highWaterMark?: number } = {}) {
    super({ decodeStrings: false, ...(options.highWaterMark !== undefined && { highWaterMark: options.highWaterMark }) });
    if (options.isTTY !== undefined) this.isTTY = options.isTTY;
    this.#hold = options.hold ?? false;
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(String(chunk));
    if (this.#hold) this.#callbacks.push(callback);
    else callback();
  }

  /** Acknowledges every held write (the reader caught up). */
  release(): void {
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const callback of callbacks) callback();
  }

  get text(): string {
    return this.chunks.join('');
  }
}

/** A promise's state, without waiting for it. */
function track(promise: Promise<unknown>): { done: boolean } {
  const state = { done: false };
  void promise.then(() => {
    state.done = true;
  });
  return state;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function print(format: 'table' | 'jsonl' | 'csv', rows: readonly Row[], options: { isTTY?: boolean } = {}): Promise<string> {
  const out = new Sink(options);
  const writer = createRecordWriter(format, out);
  for (const row of rows) await writer.write(row);
  await writer.end();
  return out.text;
}

const ROWS: Row[] = [
  { guid: 'g-1', local_ip: IpAddress.parse('10.0.0.1'), local_port: 22, state: 'LISTEN' },
  { guid: 'g-2', local_ip: IpAddress.parse('0:0:0:0:0:0:0:1'), local_port: 8080, state: 'ESTABLISHED' },
  { guid: 'g-3', _error: 'sentry exception: boom' },
];

beforeAll(async () => {
  // cli-table3's colour library decides once, when first loaded, whether this process may colour at all (off
  // in CI or without TERM). Load it with colour allowed, so the tests see only the writer's own choice.
  vi.stubEnv('FORCE_COLOR', '1');
  try {
    await print('table', [{ warm: 'up' }], { isTTY: true });
  } finally {
    vi.unstubAllEnvs();
  }
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('jsonl', () => {
  it('prints one JSON object per line, in record order, ipaddr as its text and _error as a field', async () => {
    const text = await print('jsonl', ROWS);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.split('\n').slice(0, -1);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { guid: 'g-1', local_ip: '10.0.0.1', local_port: 22, state: 'LISTEN' },
      { guid: 'g-2', local_ip: '::1', local_port: 8080, state: 'ESTABLISHED' },
      { guid: 'g-3', _error: 'sentry exception: boom' },
    ]);
  });

  it('escapes the control characters JSON leaves raw (DEL, C1, bidirectional), and the value is the same', async () => {
    const value = 'a\x1b[2J\x7f\x9b31m\u202eb\u2069';
    const text = await print('jsonl', [{ v: value }]);
    expect(text).toBe('{"v":"a\\u001b[2J\\u007f\\u009b31m\\u202eb\\u2069"}\n');
    expect(JSON.parse(text)).toEqual({ v: value });
  });

  it('prints timestamps, longs, maps, lists and null as JSON data', async () => {
    const text = await print('jsonl', [
      {
        at: new Date('2024-01-02T03:04:05.000Z'),
        big: 9007199254740993n,
        n: null,
        m: { ip: IpAddress.parse('::ffff:10.0.0.1'), list: [1, 'x'] },
      },
    ]);
    expect(JSON.parse(text)).toEqual({
      at: '2024-01-02T03:04:05.000Z',
      big: '9007199254740993',
      n: null,
      m: { ip: '::ffff:10.0.0.1', list: [1, 'x'] },
    });
  });

  it('a record written alone reaches the stream on the next turn, without waiting for end()', async () => {
    const out = new Sink();
    const writer = createRecordWriter('jsonl', out);
    await writer.write({ guid: 'g-1' });
    await nextTurn();
    expect(out.text).toBe('{"guid":"g-1"}\n');
    await writer.write({ guid: 'g-2' });
    await writer.end(); // end() flushes at once
    expect(out.text).toBe('{"guid":"g-1"}\n{"guid":"g-2"}\n');
  });

  it('a burst is handed over in large chunks, not a write per line, with the same bytes', async () => {
    const out = new Sink();
    const writer = createRecordWriter('jsonl', out);
    const rows = Array.from({ length: 2000 }, (_, i) => ({ i, pad: 'x'.repeat(100) }));
    for (const row of rows) await writer.write(row);
    await writer.end();
    expect(out.chunks.length).toBeGreaterThan(1); // ~230 KB: more than one 64 KB chunk
    expect(out.chunks.length).toBeLessThan(20);
    expect(out.text).toBe(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  });

  it('write waits while the stream is full and resumes on drain', async () => {
    const out = new Sink({ hold: true, highWaterMark: 8 });
    const writer = createRecordWriter('jsonl', out);
    await writer.write({ guid: 'g-1' }); // gathered; nothing handed over yet
    await nextTurn(); // handed over: more than 8 bytes, so the stream is full
    expect(out.text).toBe('{"guid":"g-1"}\n');

    const second = track(writer.write({ guid: 'g-2' }));
    await nextTurn();
    expect(second.done).toBe(false);
    // The reader takes both lines (the second was handed over meanwhile); the stream drains and write resolves.
    for (let i = 0; i < 2; i++) {
      out.release();
      await nextTurn();
    }
    expect(second.done).toBe(true);
    await writer.end();
    expect(out.text).toBe('{"guid":"g-1"}\n{"guid":"g-2"}\n');
  });
});

describe('csv', () => {
  it('prints a header, then a line per record, quoting commas, quotes and newlines', async () => {
    const text = await print('csv', [
      { guid: 'g-1', note: 'a,b' },
      { guid: 'g-2', note: 'say "hi"' },
      { guid: 'g-3', note: 'two\nlines' },
    ]);
    expect(text).toBe('guid,note\ng-1,"a,b"\ng-2,"say ""hi"""\ng-3,"two\nlines"\n');
  });

  it('puts _error in the last column, leaves missing and null values empty, prints ipaddr as text', async () => {
    const text = await print('csv', [
      { _error: 'sentry exception: boom', guid: 'g-0' },
      ...ROWS.slice(0, 2),
      { guid: 'g-4', local_port: null },
    ]);
    expect(text.split('\n')).toEqual([
      'guid,local_ip,local_port,state,_error',
      'g-0,,,,sentry exception: boom',
      'g-1,10.0.0.1,22,LISTEN,',
      'g-2,::1,8080,ESTABLISHED,',
      'g-4,,,,',
      '',
    ]);
  });

  it('prints maps as quoted JSON', async () => {
    expect(await print('csv', [{ m: { a: [1, 2] } }])).toBe('m\n"{""a"":[1,2]}"\n');
  });

  it("puts a ' before text a spreadsheet would run as a formula (OWASP), never before a number", async () => {
    const text = await print('csv', [
      { v: "=cmd|' /C calc'!A0" },
      { v: '+1+2' },
      { v: '-2+3' },
      { v: '@SUM(1+1)' },
      { v: '\t=1' },
      { v: '\r=1' },
      { v: '\uff1d1+1' },
      { v: '-1' },
      { v: -1 },
      { v: -1.5 },
      { v: -(2n ** 70n) },
      { v: 'a=b' },
      { '=HYPERLINK("x")': 1 },
    ]);
    expect(text.split('\n')).toEqual([
      `v,"'=HYPERLINK(""x"")"`,
      "'=cmd|' /C calc'!A0,",
      "'+1+2,",
      "'-2+3,",
      "'@SUM(1+1),",
      "'\t=1,",
      `"'\r=1",`,
      "'\uff1d1+1,",
      "'-1,",
      '-1,',
      '-1.5,',
      '-1180591620717411303424,',
      'a=b,',
      ',1',
      '',
    ]);
  });
});

describe('table', () => {
  it('shows every column name and every record value, with _error as the last column', async () => {
    const rows: Row[] = [{ _error: 'sentry exception: boom', guid: 'g-0' }, ...ROWS];
    const text = await print('table', rows);
    const lines = text.trimEnd().split('\n');
    const cells = (line: string): string[] =>
      line
        .split('│')
        .slice(1, -1)
        .map((c) => c.trim());

    const header = lines.find((line) => line.includes('guid'))!;
    expect(cells(header)).toEqual(['guid', 'local_ip', 'local_port', 'state', '_error']);
    const body = lines.filter((line) => line.includes('g-'));
    expect(body.map(cells)).toEqual([
      ['g-0', '', '', '', 'sentry exception: boom'],
      ['g-1', '10.0.0.1', '22', 'LISTEN', ''],
      ['g-2', '::1', '8080', 'ESTABLISHED', ''],
      ['g-3', '', '', '', 'sentry exception: boom'],
    ]);
  });

  it('shows control characters as text, whatever record they come in: one line per record', async () => {
    const hostile = 'a\x1b[2J\x1b]52;c;SGVsbG8=\x07\r\0\n\x7f\x9b\u202eb';
    const text = await print('table', [{ [`f\x1b[31m`]: hostile }, { [`f\x1b[31m`]: 'ok' }]);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(text).toContain('f\\x1b[31m');
    expect(text).toContain('a\\x1b[2J\\x1b]52;c;SGVsbG8=\\x07\\r\\x00\\n\\x7f\\x9b\\u202eb');
    // Top border, heading, rule, two records, bottom border.
    expect(text.trimEnd().split('\n')).toHaveLength(6);
  });

  it('right-aligns numeric columns and left-aligns the others', async () => {
    const text = await print('table', [
      { name: 'a', n: 5 },
      { name: 'bbbbb', n: 12345 },
    ]);
    expect(text).toContain('│ a     │     5 │');
    expect(text).toContain('│ bbbbb │ 12345 │');
  });

  it('has no colour codes unless the stream is a terminal, and none with NO_COLOR', async () => {
    const ESC = '\u001b[';
    vi.stubEnv('NO_COLOR', undefined);
    expect(await print('table', ROWS, { isTTY: false })).not.toContain(ESC);
    expect(await print('table', ROWS, { isTTY: true })).toContain(`${ESC}1m`);
    vi.stubEnv('NO_COLOR', '1');
    expect(await print('table', ROWS, { isTTY: true })).not.toContain(ESC);
  });

  it('prints nothing until end(), and nothing at all for no records', async () => {
    const out = new Sink();
    const writer = createRecordWriter('table', out);
    await writer.write({ guid: 'g-1' });
    await nextTurn();
    expect(out.text).toBe('');
    await writer.end();
    expect(out.text).toContain('g-1');
    expect(await print('table', [])).toBe('');
    expect(await print('csv', [])).toBe('');
    expect(await print('jsonl', [])).toBe('');
  });
});

describe('every format', () => {
  it.each(OUTPUT_FORMATS)('%s counts the records written', async (format) => {
    const writer = createRecordWriter(format, new Sink());
    expect(writer.count).toBe(0);
    for (const row of ROWS) await writer.write(row);
    expect(writer.count).toBe(3);
    await writer.end();
    expect(writer.count).toBe(3);
  });

  it.each(['table', 'csv'] as const)('%s: end() waits for a full stream to drain', async (format) => {
    const out = new Sink({ hold: true, highWaterMark: 8 });
    const writer = createRecordWriter(format, out);
    await writer.write({ guid: 'g-1' });
    const ended = track(writer.end());
    await nextTurn();
    expect(out.text).toContain('g-1');
    expect(ended.done).toBe(false);
    out.release();
    await nextTurn();
    expect(ended.done).toBe(true);
  });
});

describe('writeText', () => {
  it('resolves when a full stream is closed instead of drained (the reader went away)', async () => {
    const out = new Sink({ hold: true, highWaterMark: 4 });
    out.on('error', () => undefined);
    const written = track(writeText(out, 'more than four bytes'));
    await nextTurn();
    expect(written.done).toBe(false);
    out.destroy();
    await nextTurn();
    expect(written.done).toBe(true);
  });

  it('writes nothing to a stream that has ended, and does not wait', async () => {
    const out = new Sink();
    out.end('last\n');
    await expect(writeText(out, 'too late\n')).resolves.toBeUndefined();
    expect(out.text).toBe('last\n');
  });
});

describe('streaming with known fields (csv, table)', () => {
  const FIELDS = ['guid', 'pid', '_error'];
  afterEach(() => {
    vi.useRealTimers();
  });

  it('csv: the header goes out at once, each record as it comes, before end()', async () => {
    const out = new Sink();
    const writer = createRecordWriter('csv', out, { fields: FIELDS });
    await vi.waitFor(() => expect(out.text).toBe('guid,pid,_error\n'));
    await writer.write({ guid: 'fast', pid: 1 });
    await nextTurn();
    expect(out.text).toBe('guid,pid,_error\nfast,1,\n');
    await writer.write({ guid: 'slow', _error: 'timeout' });
    await writer.end();
    expect(out.text).toBe('guid,pid,_error\nfast,1,\nslow,,timeout\n');
  });

  it('csv: a field not in the header is left out, and one note at the end names it', async () => {
    const out = new Sink();
    const notes: string[] = [];
    const writer = createRecordWriter('csv', out, { fields: FIELDS, onNote: (line) => notes.push(line) });
    await writer.write({ guid: 'a', pid: 1, hostname: 'web' });
    await writer.write({ guid: 'b', os: 'linux', hostname: 'db' });
    expect(notes).toEqual([]);
    await writer.end();
    expect(out.text).toBe('guid,pid,_error\na,1,\nb,,\n');
    expect(notes).toEqual(['note: csv left out fields not in its header: hostname, os (--format jsonl prints every field)']);
  });

  it('table: a block is printed 500 ms after its first record, before end()', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const out = new Sink();
    const writer = createRecordWriter('table', out, { fields: FIELDS });
    await writer.write({ guid: 'fast', pid: 1 });
    await vi.advanceTimersByTimeAsync(499);
    expect(out.text).toBe('');
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(out.text).toMatch(/│ fast +│ +1 │ +│/));
    expect(out.text).toMatch(/│ guid +│ pid │ _error │/);
    await writer.write({ guid: 'slow', _error: 'timeout' });
    await writer.end();
    expect(out.text.match(/│ guid /g)).toHaveLength(2); // two blocks, each a table with its heading
  });

  it('table: a block holds 100 records at most (250 records: three tables)', async () => {
    const rows = Array.from({ length: 250 }, (_, i) => ({ guid: `g-${i}`, pid: i }));
    const text = await print('table', rows);
    expect(text.match(/│ guid /g)).toHaveLength(3);
    expect(text.match(/│ g-\d+ /g)).toHaveLength(250);
  });
});
