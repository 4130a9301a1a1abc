// Splunk .conf files: the format read line by line, local over default, and the file read with its cap.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPLUNK_CONF_LIMIT_BYTES } from '../../src/rpc/limits.js';
import { ConfFileError, confValues, mergeConf, parseConf, readConfFile } from '../../src/splunk/conf-file.js';

/** The values alone, as plain objects, for `toEqual`. */
function values(text: string): Record<string, Record<string, string>> {
  return Object.fromEntries([...confValues(parseConf(text, 'test.conf'))].map(([stanza, keys]) => [stanza, Object.fromEntries(keys)]));
}

/** The error `parseConf` throws on `text`. */
function parseError(text: string): ConfFileError {
  try {
    parseConf(text, 'app/local/sentry.conf');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfFileError);
    return error as ConfFileError;
  }
  throw new Error('parseConf accepted it');
}

describe('parseConf', () => {
  it('reads stanzas and settings, trimming the spaces around "=" and keeping "=" and an inline "#" in the value', () => {
    const text = [
      '# the shipped defaults',
      '   # an indented comment',
      '',
      '[cluster]',
      'nats_url=tls://a:4222',
      '  nats_creds   =   /etc/x.creds   ',
      'search = index=main | eval a=b',
      'note = blue # not a comment',
      '\t',
      '[ command ]',
      'rpc_parallel = 7',
      'empty =',
    ].join('\n');
    expect(values(text)).toEqual({
      cluster: { nats_url: 'tls://a:4222', nats_creds: '/etc/x.creds', search: 'index=main | eval a=b', note: 'blue # not a comment' },
      command: { rpc_parallel: '7', empty: '' },
    });
  });

  it('puts settings before any stanza in [default], with those of a [default] stanza', () => {
    expect(values('a = 1\n[x]\nb = 2\n[default]\nc = 3\n')).toEqual({ default: { a: '1', c: '3' }, x: { b: '2' } });
  });

  it('reads CRLF line ends and a byte order mark', () => {
    expect(values('\uFEFF[x]\r\na = 1\r\nb = 2\r\n')).toEqual({ x: { a: '1', b: '2' } });
  });

  it('continues a value ending in a backslash: the backslash goes, the line break stays, the next line is value text', () => {
    const text = '[x]\nsearch = index=main \\\n  | stats count \\   \n# not a comment\nafter = 1\n';
    expect(values(text)).toEqual({ x: { search: 'index=main \n  | stats count \n# not a comment', after: '1' } });
  });

  it('drops a backslash on the last line', () => {
    expect(values('[x]\na = 1\\')).toEqual({ x: { a: '1' } });
  });

  it('keeps the last of a key written twice, with its line, and merges a stanza written twice', () => {
    const conf = parseConf('[x]\na = 1\nb = 2\n[y]\nc = 3\n[x]\na = 4\n', 'f.conf');
    expect(confValues(conf)).toEqual(
      new Map([
        [
          'x',
          new Map([
            ['a', '4'],
            ['b', '2'],
          ]),
        ],
        ['y', new Map([['c', '3']])],
      ]),
    );
    expect(conf.get('x')?.get('a')).toEqual({ value: '4', file: 'f.conf', line: 7 });
    expect(conf.get('x')?.get('b')).toEqual({ value: '2', file: 'f.conf', line: 3 });
  });

  it('numbers a setting by its first line, counting continued lines', () => {
    const conf = parseConf('[x]\na = 1 \\\n2 \\\n3\nb = 4\n', 'f.conf');
    expect(conf.get('x')?.get('a')?.line).toBe(2);
    expect(conf.get('x')?.get('b')?.line).toBe(5);
  });

  it('refuses a line without "=", naming the file and line', () => {
    const error = parseError('[cluster]\nnats_url = tls://a:4222\n\nnats_creds /etc/x.creds\n');
    expect(error.file).toBe('app/local/sentry.conf');
    expect(error.line).toBe(4);
    expect(error.message).toBe(
      'app/local/sentry.conf:4: expected KEY = VALUE, a [STANZA] header or a # comment, not "nats_creds /etc/x.creds"',
    );
  });

  it('refuses an unterminated stanza header', () => {
    const error = parseError('a = 1\n[cluster\nb = 2\n');
    expect(error.line).toBe(2);
    expect(error.message).toBe('app/local/sentry.conf:2: unterminated stanza header "[cluster": expected [NAME]');
  });

  it('refuses an empty key and a key with spaces', () => {
    expect(parseError('[x]\n = 1\n').message).toBe('app/local/sentry.conf:2: no key before "=" in "= 1"');
    expect(parseError('[x]\nnats url = 1\n').message).toBe('app/local/sentry.conf:2: a key holds no spaces: "nats url"');
  });

  it('counts continued lines in the line number of a later error', () => {
    expect(parseError('[x]\na = 1 \\\n2\nbroken\n').line).toBe(4);
  });
});

describe('mergeConf', () => {
  it('layers the override key by key within a stanza, keeps stanzas of either side, changes neither', () => {
    const base = parseConf('[x]\na = 1\nb = 2\n[only_base]\nc = 3\n', 'default.conf');
    const override = parseConf('[x]\nb = 20\nd = 40\n[only_local]\ne = 5\n', 'local.conf');
    const merged = mergeConf(base, override);
    expect(Object.fromEntries([...confValues(merged)].map(([s, k]) => [s, Object.fromEntries(k)]))).toEqual({
      x: { a: '1', b: '20', d: '40' },
      only_base: { c: '3' },
      only_local: { e: '5' },
    });
    expect(merged.get('x')?.get('a')?.file).toBe('default.conf');
    expect(merged.get('x')?.get('b')?.file).toBe('local.conf');
    expect(confValues(base).get('x')).toEqual(
      new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
    );
    expect(base.has('only_local')).toBe(false);
    expect(override.get('x')?.has('a')).toBe(false);
  });
});

describe('readConfFile', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conf-file-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and parses a file, naming it in each setting', async () => {
    const path = join(dir, 'ok.conf');
    await writeFile(path, '[x]\na = 1\n');
    expect((await readConfFile(path))?.get('x')?.get('a')).toEqual({ value: '1', file: path, line: 2 });
  });

  it('gives undefined for a missing file', async () => {
    expect(await readConfFile(join(dir, 'absent.conf'))).toBeUndefined();
  });

  it('names the file and line of a parse error', async () => {
    const path = join(dir, 'broken.conf');
    await writeFile(path, '[x]\nno equals here\n');
    await expect(readConfFile(path)).rejects.toThrow(`${path}:2: expected KEY = VALUE`);
  });

  it('refuses a file over SPLUNK_CONF_LIMIT_BYTES, reads one of exactly that size', async () => {
    const exact = join(dir, 'exact.conf');
    const line = '# padding\n';
    await writeFile(exact, `[x]\na = 1\n${line.repeat(SPLUNK_CONF_LIMIT_BYTES)}`.slice(0, SPLUNK_CONF_LIMIT_BYTES));
    expect((await readConfFile(exact))?.get('x')?.get('a')?.value).toBe('1');
    const over = join(dir, 'over.conf');
    await writeFile(over, `[x]\na = 1\n${line.repeat(SPLUNK_CONF_LIMIT_BYTES)}`.slice(0, SPLUNK_CONF_LIMIT_BYTES + 1));
    await expect(readConfFile(over)).rejects.toThrow(`${over}: larger than the ${SPLUNK_CONF_LIMIT_BYTES} bytes a .conf file may have`);
  });

  it('applies a lower limit when given', async () => {
    const path = join(dir, 'small.conf');
    await writeFile(path, '[x]\na = 12345\n');
    await expect(readConfFile(path, 10)).rejects.toBeInstanceOf(ConfFileError);
    expect(await readConfFile(path, 14)).toBeDefined();
  });

  // A /proc file says its size is 0 and has more: the limit holds on what is read, not only on the size first seen.
  it.runIf(process.platform === 'linux')('refuses a file that turns out larger than its size said', async () => {
    await expect(readConfFile('/proc/self/status', 100)).rejects.toThrow(
      '/proc/self/status: larger than the 100 bytes a .conf file may have',
    );
  });

  it('refuses a directory and text that is not UTF-8', async () => {
    const sub = join(dir, 'a-directory.conf');
    await mkdir(sub);
    await expect(readConfFile(sub)).rejects.toThrow(`${sub}: not a regular file`);
    const latin1 = join(dir, 'latin1.conf');
    await writeFile(latin1, Buffer.from('[x]\na = caf\xe9\n', 'latin1'));
    await expect(readConfFile(latin1)).rejects.toThrow(`${latin1}: not UTF-8 text`);
  });
});
