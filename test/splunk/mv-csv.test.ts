// Records of a chunk body: CSV with `__mv_` multivalue companions, read and written as splunklib does.
import { describe, expect, it } from 'vitest';
import { SplunkChunkError } from '../../src/splunk/chunk-error.js';
import { parseCsvRows } from '../../src/splunk/csv-rows.js';
import { decodeMultivalue, encodeMultivalue, formatRecords, parseRecords } from '../../src/splunk/mv-csv.js';

describe('parseCsvRows', () => {
  it('reads quoted fields with commas, doubled quotes and embedded newlines', () => {
    expect(parseCsvRows('a,"b,c","d""e","f\r\ng"\r\n"",x\n')).toEqual([
      ['a', 'b,c', 'd"e', 'f\r\ng'],
      ['', 'x'],
    ]);
  });

  it('accepts \\n, \\r\\n and \\r row ends, skips empty lines, keeps a last row without an end', () => {
    expect(parseCsvRows('a,b\n\nc,d\re,f\r\n\r\ng,')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
      ['g', ''],
    ]);
    expect(parseCsvRows('')).toEqual([]);
  });

  it('keeps a stray quote inside an unquoted field, refuses a quoted field never closed', () => {
    expect(parseCsvRows('a"b,c\n')).toEqual([['a"b', 'c']]);
    const error = (() => {
      try {
        parseCsvRows('a,"b\n');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SplunkChunkError);
    expect((error as SplunkChunkError).kind).toBe('bad-csv');
  });
});

describe('multivalue encoding', () => {
  it('encodes and decodes $a$;$b$ with $$ for a $', () => {
    expect(encodeMultivalue(['a', 'b'])).toBe('$a$;$b$');
    expect(encodeMultivalue(['$5', 'x$$y', ''])).toBe('$$$5$;$x$$$$y$;$$');
    expect(decodeMultivalue('$$$5$;$x$$$$y$;$$')).toEqual(['$5', 'x$$y', '']);
    expect(decodeMultivalue('$a$;$b$')).toEqual(['a', 'b']);
  });
});

describe('parseRecords', () => {
  it('reads an empty body as no records, a header alone as none either', () => {
    expect(parseRecords('')).toEqual([]);
    expect(parseRecords('a,__mv_a\r\n')).toEqual([]);
  });

  it('makes a field with a non-empty __mv_ companion an array, leaves the others strings', () => {
    const body = 'host,__mv_host,port,__mv_port\r\n"a\nb",$a$;$b$,22,\r\nc,,,\r\n';
    expect(parseRecords(body)).toEqual([
      { host: ['a', 'b'], port: '22' },
      { host: 'c', port: '' },
    ]);
  });

  it('reads a body without companions as it is', () => {
    expect(parseRecords('_raw,count\r\nhello,3\r\n')).toEqual([{ _raw: 'hello', count: '3' }]);
  });

  it('keeps __proto__ as a plain field', () => {
    const [record] = parseRecords('__proto__,x\r\n1,2\r\n');
    expect(Object.keys(record ?? {})).toEqual(['__proto__', 'x']);
    expect(Object.getPrototypeOf(record)).toBeNull();
  });
});

describe('formatRecords', () => {
  it('writes nothing for no records', () => {
    expect(formatRecords([])).toBe('');
  });

  it('writes the union of fields in first-seen order, each with its __mv_ companion, CRLF rows', () => {
    const body = formatRecords([
      { a: 'x', b: ['1', '2'] },
      { c: true, a: null },
      { b: ['only'], d: { k: 1 }, e: [], f: 7 },
    ]);
    expect(body).toBe(
      'a,__mv_a,b,__mv_b,c,__mv_c,d,__mv_d,e,__mv_e,f,__mv_f\r\n' +
        'x,,"1\n2",$1$;$2$,,,,,,,,\r\n' +
        ',,,,1,,,,,,,\r\n' +
        ',,only,,,,"{""k"":1}",,,,7,\r\n',
    );
  });

  it('round-trips multivalue fields and $ escaping', () => {
    const records = [{ name: ['$HOME', 'a$$b', 'é 日本 🚀'], note: 'say "hi", then\r\nleave', cost: '$5' }];
    expect(parseRecords(formatRecords(records))).toEqual(records);
  });
});
