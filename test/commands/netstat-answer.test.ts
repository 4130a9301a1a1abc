import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MalformedAnswerError, netstatAnswerSchema, netstatRows, TCP_STATES, UDP_STATES } from '../../src/index.js';

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
});
