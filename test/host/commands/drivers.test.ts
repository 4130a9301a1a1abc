import { describe, expect, it } from 'vitest';
import { IpAddress } from '../../../src/runtime/ip-address.js';
import { jsonCommand } from '../../../src/host/commands/json.js';
import { sentryCommand } from '../../../src/host/commands/sentry.js';
import { driveCollected, parseErrorOf } from '../../helpers/drive-collected.js';

/** The query text of `json "…"` for this JSON, escaped as the query language wants. */
const quoted = (json: string): string => ` ${JSON.stringify(json)}`;

describe('sentry', () => {
  it('lists the sentries in order, with known fields only and remote_ip as ipaddr when it parses', async () => {
    const connectedAt = new Date('2024-05-01T10:00:00Z');
    const { rows } = await driveCollected(sentryCommand, '', [], {
      sentries: [
        {
          guid: 'web-01',
          connected: true,
          hostname: 'web-01.example',
          os: 'linux',
          remote_ip: '0:0:0:0:0:0:0:1',
          connected_at: connectedAt,
        },
        { guid: 'db-01', connected: false, remote_ip: 'unknown' },
      ],
    });
    expect(rows).toEqual([
      {
        guid: 'web-01',
        connected: true,
        hostname: 'web-01.example',
        os: 'linux',
        remote_ip: IpAddress.parse('::1'),
        connected_at: connectedAt,
      },
      { guid: 'db-01', connected: false, remote_ip: 'unknown' },
    ]);
    expect(rows[0]?.['remote_ip']).toBeInstanceOf(IpAddress);
  });

  it('refuses arguments with 90003 at the first one', () => {
    const error = parseErrorOf(sentryCommand, '  guid=1');
    expect(error.code).toBe(90003);
    expect(error.offset).toBe(2);
    expect(error.message).toBe("Invalid arguments for 'sentry' at offset 2: sentry takes no arguments.");
  });
});

describe('json', () => {
  it('emits one record per object of an array, with JSON types and no guessing', async () => {
    const { rows } = await driveCollected(
      jsonCommand,
      quoted('[{"a": 1, "ip": "1.2.3.4"}, {"b": [1, {"c": null}], "d": true, "e": "x|\\"y\\""}]'),
    );
    expect(rows).toEqual([
      { a: 1, ip: '1.2.3.4' },
      { b: [1, { c: null }], d: true, e: 'x|"y"' },
    ]);
  });

  it('emits one record for an object', async () => {
    expect((await driveCollected(jsonCommand, quoted('{"guid": "s-1"}'))).rows).toEqual([{ guid: 's-1' }]);
  });

  it.each([
    ['', 0, 'expected one double-quoted JSON text'],
    [' {"a": 1}', 1, 'expected one double-quoted JSON text'],
    [' "{}', 1, 'unterminated quoted string'],
    [' "{}" x', 6, 'unexpected text after the quoted JSON'],
    [quoted('[1]'), 1, 'array element 0 is not an object'],
    [quoted('"text"'), 1, 'expected a JSON object or an array of objects'],
  ])('refuses %j with 90003 at offset %i', (argText, offset, detail) => {
    const error = parseErrorOf(jsonCommand, argText);
    expect(error.code).toBe(90003);
    expect(error.offset).toBe(offset);
    expect(error.message).toBe(`Invalid arguments for 'json' at offset ${offset}: ${detail}.`);
  });

  it('points a JSON syntax error at the offending character in the query', () => {
    const argText = quoted('{"a": 1,}');
    const error = parseErrorOf(jsonCommand, argText);
    expect(error.code).toBe(90003);
    expect(argText[error.offset]).toBe('}');
    expect(error.message).toMatch(/^Invalid arguments for 'json' at offset \d+: invalid JSON \(.+\)\.$/);
  });
});
