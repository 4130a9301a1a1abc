import { describe, expect, it } from 'vitest';
import { levelOf } from '../../src/cli/event-levels.js';
import { jsonLinesLogger, parseLogLevel } from '../../src/cli/logger.js';

const at = new Date('2026-01-02T03:04:05.000Z');

function capture(level?: 'debug' | 'info' | 'warn' | 'error'): { lines: string[]; logger: ReturnType<typeof jsonLinesLogger> } {
  const lines: string[] = [];
  const logger = jsonLinesLogger({
    write: (line) => void lines.push(line),
    ...(level && { level }),
    fields: { node: 'dn1' },
    now: () => at,
  });
  return { lines, logger };
}

describe('jsonLinesLogger', () => {
  it('writes one JSON line per event: time, level, the logger fields, then the event', () => {
    const { lines, logger } = capture();
    logger.child({ port: 'query' }).log('info', { event: 'query', records: 3 });
    expect(lines).toEqual(['{"time":"2026-01-02T03:04:05.000Z","level":"info","node":"dn1","port":"query","event":"query","records":3}\n']);
  });

  it('keeps the events of its level and above only (info by default)', () => {
    const { lines, logger } = capture();
    logger.log('debug', { event: 'disconnected' });
    logger.log('warn', { event: 'rejected' });
    const quiet = capture('error');
    quiet.logger.log('warn', { event: 'rejected' });
    quiet.logger.log('error', { event: 'keys-reload-failed' });
    expect(lines.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(['rejected']);
    expect(quiet.lines.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(['keys-reload-failed']);
  });

  it('escapes what a sentry or client may put in a line, so the terminal obeys none of it', () => {
    const { lines, logger } = capture();
    logger.log('info', { event: 'sentry-connected', guid: 'evil\u001b[2J\u009b\u202e\nline' });
    expect(lines).toHaveLength(1);
    const raw = [...lines[0]!.slice(0, -1)].filter((c) => c.charCodeAt(0) < 0x20 || (c >= '\u007f' && c <= '\u009f') || c === '\u202e');
    expect(raw).toEqual([]);
    expect(lines[0]!.split('\n')).toEqual([expect.any(String), '']);
  });
});

describe('--log-level and the levels of events', () => {
  it('reads the four levels and refuses anything else in one line naming them', () => {
    expect(parseLogLevel('warn')).toBe('warn');
    expect(() => parseLogLevel('verbose')).toThrow('--log-level must be one of debug, info, warn, error, not verbose');
  });

  it('failures before authentication are warnings, a failed keys reload an error, a sentry connecting info', () => {
    expect([
      levelOf('rejected'),
      levelOf('summary'),
      levelOf('keys-reload-failed'),
      levelOf('sentry-connected'),
      levelOf('constructor'),
    ]).toEqual(['warn', 'warn', 'error', 'info', 'info']);
  });
});
