// The command lines `agent --once` takes without commander (src/cli/agent-once.ts); anything else goes to the
// full `agent` mode, which words usage errors and help.
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ONCE_OUTPUT_FORMATS, parseOnceCommandLine } from '../../src/cli/agent-once.js';
import { OUTPUT_FORMATS } from '../../src/cli/output-format.js';

describe('parseOnceCommandLine', () => {
  it("offers exactly --format's choices", () => {
    expect([...ONCE_OUTPUT_FORMATS]).toEqual([...OUTPUT_FORMATS]);
  });

  it('takes --once alone, with the defaults of the full mode', () => {
    expect(parseOnceCommandLine(['--once'])).toEqual({ guid: hostname(), logFormat: 'text', logLevel: 'info' });
  });

  it('takes every option of --once, spaced or with =, in any order', () => {
    expect(parseOnceCommandLine(['--format', 'csv', '--once', '--guid=web-01', '--log-format', 'json', '--log-level=warn'])).toEqual({
      guid: 'web-01',
      format: 'csv',
      logFormat: 'json',
      logLevel: 'warn',
    });
    expect(parseOnceCommandLine(['--once', '--guid', 'a=b'])).toMatchObject({ guid: 'a=b' });
  });

  it('takes --detail with --once (the lean path prints the detail fields too)', () => {
    expect(parseOnceCommandLine(['--detail', '--once', '--format', 'csv'])).toEqual({
      guid: hostname(),
      format: 'csv',
      detail: true,
      logFormat: 'text',
      logLevel: 'info',
    });
    expect(parseOnceCommandLine(['--once'])).not.toHaveProperty('detail');
  });

  it.each([
    [[]],
    [['--guid', 'x']],
    [['--once', '--help']],
    [['--once', '-h']],
    [['--once', '--once']],
    [['--once', '--detail', '--detail']],
    [['--detail']],
    [['--once', '--guid', 'a', '--guid', 'b']],
    [['--once', '--guid']],
    [['--once', '--guid', '']],
    [['--once', '--guid', '--format']],
    [['--once', '--format', 'yaml']],
    [['--once', '--log-format', 'xml']],
    [['--once', '--log-level', 'loud']],
    [['--once', '--connect', 'ws://127.0.0.1:1']],
    [['--once', 'extra']],
    [['--once', '--constructor', 'x']],
  ])('leaves %j to the full mode', (argv) => {
    expect(parseOnceCommandLine(argv)).toBeUndefined();
  });
});
