import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MalformedAnswerError, netstatAnswerSchema, netstatRows, TCP_STATES, UDP_STATES } from '../../src/index.js';
import { NETSTAT_ANSWER_CONNECTION_LIMIT } from '../../src/rpc/limits.js';

/** What the full schema alone makes of an answer: the rows, or the fact that it refuses it. */
function rowsByFullSchema(guid: string, answer: unknown): unknown {
  const parsed = netstatAnswerSchema.safeParse(answer);
  if (!parsed.success) return 'refused';
  // As JSON: addresses compare by their text (IpAddress keeps it in a private field toEqual cannot see).
  return JSON.stringify(parsed.data.map((c) => ({ guid, ...c })));
}

function rowsByNetstatRows(guid: string, answer: unknown): unknown {
  try {
    return JSON.stringify(netstatRows(guid, answer));
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedAnswerError);
    return 'refused';
  }
}

// Mostly plausible values, with every kind of wrong one mixed in: the fast path must accept exactly what the
// full schema accepts, and give the same rows.
const ip = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.constantFrom('::', '0.0.0.0', '::1', '::FFFF:10.0.0.1', '::1.2.3.4', 'FE80::1'),
  fc.constantFrom('fe80::1%eth0', '01.2.3.4', '*', '[::1]', ''),
  fc.integer(),
);
const port = fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.constantFrom(-1, 65536, 1.5, '80', null));
const connection = fc.record(
  {
    pid: fc.oneof(fc.integer({ min: 0, max: 4_194_304 }), fc.constantFrom(null, undefined, -1, 2.5, '12', 2 ** 60)),
    protocol: fc.constantFrom('tcp', 'tcp6', 'udp', 'udp6', 'sctp', 'TCP'),
    local_ip: ip,
    local_port: port,
    remote_ip: ip,
    remote_port: port,
    state: fc.constantFrom(...TCP_STATES, ...UDP_STATES, 'established', 'BOGUS', 7),
    extra: fc.option(fc.string(), { nil: undefined }),
  },
  { requiredKeys: ['protocol', 'local_ip', 'local_port', 'remote_ip', 'remote_port', 'state'] },
);

describe('netstatRows', () => {
  it('accepts exactly what netstatAnswerSchema accepts, with the same rows (property)', () => {
    const answer = fc.oneof(fc.array(connection, { maxLength: 5 }), fc.anything());
    fc.assert(
      fc.property(answer, (value) => {
        expect(rowsByNetstatRows('g1', value)).toEqual(rowsByFullSchema('g1', value));
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts valid answers (the property above is not vacuous)', () => {
    const rows = netstatRows('g1', [
      { pid: 1, protocol: 'tcp6', local_ip: '::FFFF:10.0.0.1', local_port: 80, remote_ip: '::', remote_port: 0, state: 'LISTEN' },
      { protocol: 'udp', local_ip: '10.0.0.1', local_port: 53, remote_ip: '0.0.0.0', remote_port: 0, state: 'NONE', extra: 1 },
    ]);
    expect(rows.map((row) => JSON.stringify(row))).toEqual([
      '{"guid":"g1","pid":1,"protocol":"tcp6","local_ip":"::ffff:10.0.0.1","local_port":80,"remote_ip":"::","remote_port":0,"state":"LISTEN"}',
      '{"guid":"g1","pid":null,"protocol":"udp","local_ip":"10.0.0.1","local_port":53,"remote_ip":"0.0.0.0","remote_port":0,"state":"NONE"}',
    ]);
  });

  it('names the first problem of a bad answer', () => {
    const bad = [{ pid: 1, protocol: 'udp6', local_ip: '10.0.0.1', local_port: 53, remote_ip: '::', remote_port: 0, state: 'NONE' }];
    expect(() => netstatRows('g1', bad)).toThrow('malformed netstat answer: [0].local_ip: expected an IPv6 address for udp6');
  });

  // Hostile answers (issue 11): each is one error at once, not a walk over all of it; the figures (time, memory)
  // are in the closing note, the assertions here are about what the error says.
  it('refuses more connections than the limit before reading any', () => {
    const tooMany = new Array<unknown>(NETSTAT_ANSWER_CONNECTION_LIMIT + 1).fill({});
    expect(() => netstatRows('g1', tooMany)).toThrow(
      `malformed netstat answer: ${NETSTAT_ANSWER_CONNECTION_LIMIT + 1} connections, more than the limit of ${NETSTAT_ANSWER_CONNECTION_LIMIT}`,
    );
  });

  it('stops at the first bad connection of a long answer, and words it by its index', () => {
    const answer = new Array<unknown>(NETSTAT_ANSWER_CONNECTION_LIMIT).fill(LISTEN);
    answer[3] = { ...LISTEN, state: 'NONE' };
    answer[4] = {}; // not reached: the first problem is the one told
    expect(() => netstatRows('g1', answer)).toThrow(/^malformed netstat answer: \[3\]\.state: expected a tcp state .*\(got "NONE"\)$/);
    expect(netstatRows('g1', answer.slice(0, 3))).toHaveLength(3);
  });

  it('refuses an answer nested 100,000 levels deep with a short message, not a stack overflow', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)) as unknown;
    expect(() => netstatRows('g1', deep)).toThrow(
      /^malformed netstat answer: \[0\]: expected a connection object \(got \[\[\[\[.{0,60}\)$/,
    );
    const deepField = JSON.parse(`[{"protocol":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}]`) as unknown;
    expect(() => netstatRows('g1', deepField)).toThrow(
      /^malformed netstat answer: \[0\]\.protocol: expected tcp, tcp6, udp or udp6 \(got \{"a":.{0,60}\)$/,
    );
    expect(() => netstatRows('g1', { a: deep })).toThrow(
      /^malformed netstat answer: expected an array of connections \(got \{"a":\[\[.{0,60}\)$/,
    );
  });

  it('quotes at most 60 characters of a huge value', () => {
    const huge = [{ ...LISTEN, state: 'X'.repeat(8 * 1024 * 1024) }];
    let message = '';
    try {
      netstatRows('g1', huge);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^malformed netstat answer: \[0\]\.state: expected a tcp state .*\(got "XXX+\.\.\.\)$/);
    expect(message.length).toBeLessThan(300); // the tcp states are listed
  });
});

const LISTEN = { pid: 1, protocol: 'tcp', local_ip: '0.0.0.0', local_port: 22, remote_ip: '0.0.0.0', remote_port: 0, state: 'LISTEN' };
