/**
 * Splunk .conf files: reading one (`[stanza]` headers and `key = value` settings) and layering one over another
 * (`local/` over `default/`).
 *
 * The format, as Splunk's Admin Manual ("Configuration file structure", "Configuration file precedence") states it:
 * - `[name]` starts a stanza; settings before any stanza belong to `[default]`; a stanza written twice is one
 *   stanza (its settings merge);
 * - `key = value`: the spaces around `=` are not part of either; the value runs to the end of the line, so it may
 *   hold `=` and `#` (only a line that starts with `#`, after indentation, is a comment);
 * - a line ending in `\` continues on the next: the backslash goes, the line break stays (as splunkd keeps the
 *   lines of a multi-line `search` in savedsearches.conf), and the next line is value text even if it starts
 *   with `#` or `[`;
 * - a key written twice in a stanza: the last one counts;
 * - keys are case-sensitive and hold no spaces.
 *
 * Stricter than splunkd, which skips a line it cannot read with a warning in splunkd.log nobody sees from a
 * search: a line that is neither a comment, a stanza header nor `key = value` is a {@link ConfFileError}
 * naming the file and the line.
 *
 * @module
 */
import { constants, open, type FileHandle } from 'node:fs/promises';
import { SPLUNK_CONF_LIMIT_BYTES } from '../rpc/limits.js';

/** The stanza of settings written before any `[stanza]` header, and of `[default]`. */
export const DEFAULT_STANZA = 'default';

/** One setting as read: its value and where it was written, so a message can point at the line to change. */
export interface ConfSetting {
  /** The value, spaces around it trimmed; lines of a continued value joined with `\n`. */
  readonly value: string;
  /** The file it was read from, as given to {@link parseConf}. */
  readonly file: string;
  /** Its 1-based line number (the first line of a continued value). */
  readonly line: number;
}

/** A .conf file's settings: stanza name → key → setting, each map in the order first written. */
export type ConfStanzas = ReadonlyMap<string, ReadonlyMap<string, ConfSetting>>;

/**
 * A .conf file could not be read or holds what its reader refuses. The message starts with `FILE:LINE: ` (or
 * `FILE: ` when no one line is at fault), as compilers word it, so an editor or a person finds the line.
 */
export class ConfFileError extends Error {
  /** Always `ConfFileError`. */
  override readonly name = 'ConfFileError';

  constructor(
    /** The file at fault. */
    readonly file: string,
    /** The 1-based line at fault, if one is. */
    readonly line: number | undefined,
    what: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${what}`);
  }
}

/** A line, shortened and quoted for a message. */
function quoteLine(text: string): string {
  const trimmed = text.trim();
  return JSON.stringify(trimmed.length > 60 ? `${trimmed.slice(0, 57)}...` : trimmed);
}

/** `\` at the end of a line, spaces after it allowed (an editor's trailing space should not silently end a value). */
const CONTINUATION = /\\[ \t]*$/;

/**
 * Reads the text of a .conf file.
 *
 * @param file - the file's name in messages (and in each {@link ConfSetting})
 * @throws ConfFileError on a line that is neither blank, a comment, `[stanza]` nor `key = value`
 *
 * @example
 * ```ts
 * const conf = parseConf('[cluster]\nnats_url = tls://a:4222 # the first\n', 'local/sentry.conf');
 * conf.get('cluster')?.get('nats_url')?.value; // 'tls://a:4222 # the first'
 * ```
 */
export function parseConf(text: string, file: string): ConfStanzas {
  const stanzas = new Map<string, Map<string, ConfSetting>>();
  const stanzaNamed = (name: string): Map<string, ConfSetting> => {
    let settings = stanzas.get(name);
    if (settings === undefined) stanzas.set(name, (settings = new Map()));
    return settings;
  };
  let current: Map<string, ConfSetting> | undefined;
  // A file saved by a Windows editor may start with a byte order mark.
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (trimmed.startsWith('[')) {
      if (!trimmed.endsWith(']')) throw new ConfFileError(file, line, `unterminated stanza header ${quoteLine(raw)}: expected [NAME]`);
      current = stanzaNamed(trimmed.slice(1, -1).trim());
      continue;
    }
    const equals = raw.indexOf('=');
    if (equals === -1) {
      throw new ConfFileError(file, line, `expected KEY = VALUE, a [STANZA] header or a # comment, not ${quoteLine(raw)}`);
    }
    const key = raw.slice(0, equals).trim();
    if (key === '') throw new ConfFileError(file, line, `no key before "=" in ${quoteLine(raw)}`);
    if (/\s/.test(key)) throw new ConfFileError(file, line, `a key holds no spaces: ${JSON.stringify(key)}`);
    let value = raw.slice(equals + 1);
    while (CONTINUATION.test(value)) {
      value = value.replace(CONTINUATION, '');
      // A backslash on the last line has nothing to continue: it is dropped all the same, as on any other line.
      if (i + 1 >= lines.length) break;
      value += `\n${lines[++i]!}`;
    }
    (current ??= stanzaNamed(DEFAULT_STANZA)).set(key, { value: value.trim(), file, line });
  }
  return stanzas;
}

/**
 * Splunk's layering: `override`'s settings over `base`'s, key by key within a stanza (a stanza in only one of
 * them is kept whole). Neither argument is changed.
 *
 * @example
 * ```ts
 * const settings = mergeConf(defaultConf, localConf); // local/ wins where both set a key
 * ```
 */
export function mergeConf(base: ConfStanzas, override: ConfStanzas): ConfStanzas {
  const merged = new Map<string, Map<string, ConfSetting>>();
  for (const [name, settings] of base) merged.set(name, new Map(settings));
  for (const [name, settings] of override) {
    const into = merged.get(name);
    if (into === undefined) merged.set(name, new Map(settings));
    else for (const [key, setting] of settings) into.set(key, setting);
  }
  return merged;
}

/** The values alone: stanza → key → value. */
export function confValues(conf: ConfStanzas): Map<string, Map<string, string>> {
  return new Map([...conf].map(([name, settings]) => [name, new Map([...settings].map(([key, { value }]) => [key, value]))]));
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads and parses a .conf file, or `undefined` when there is none (`local/` exists only once an administrator
 * has changed something). Refused with a {@link ConfFileError}: a file that cannot be read (other than missing),
 * is not a regular file (a FIFO would block a search forever), is larger than `limitBytes` (checked from its size,
 * before reading), is not UTF-8, or does not parse.
 *
 * @param limitBytes - @default SPLUNK_CONF_LIMIT_BYTES (1 MiB, src/rpc/limits.ts)
 */
export async function readConfFile(path: string, limitBytes = SPLUNK_CONF_LIMIT_BYTES): Promise<ConfStanzas | undefined> {
  const failed = (error: unknown): ConfFileError =>
    new ConfFileError(path, undefined, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  let handle: FileHandle;
  try {
    // Not blocking, so a FIFO without a writer is refused below instead of hanging the open.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw failed(error);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ConfFileError(path, undefined, 'not a regular file');
    const tooLarge = (): ConfFileError =>
      new ConfFileError(path, undefined, `larger than the ${limitBytes} bytes a .conf file may have: is this the right file?`);
    if (stats.size > limitBytes) throw tooLarge();
    // The size is where to start, not a promise: the file may grow while it is read. Reading one byte past the
    // limit tells a file grown too large.
    let buffer = Buffer.alloc(Math.min(stats.size, limitBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > limitBytes) break;
        const larger = Buffer.alloc(Math.min(buffer.length * 2, limitBytes + 1));
        buffer.copy(larger, 0, 0, length);
        buffer = larger;
      }
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, length, buffer.length - length, null));
      } catch (error) {
        throw failed(error);
      }
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > limitBytes) throw tooLarge();
    let text: string;
    try {
      text = strictUtf8.decode(buffer.subarray(0, length));
    } catch {
      throw new ConfFileError(path, undefined, 'not UTF-8 text');
    }
    return parseConf(text, path);
  } finally {
    await handle.close();
  }
}
