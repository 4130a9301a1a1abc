// agent --once --format jsonl prints connectionJsonlChunks: it must be byte for byte what the jsonl writer
// prints for connectionRows (the records sentry-netstat emits).
import fc from 'fast-check';
import { platform } from 'node:os';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collectLinuxConnections } from '../../src/agent/collect-linux.js';
import { connectionJsonlChunks } from '../../src/agent/connection-jsonl.js';
import { connectionRows } from '../../src/agent/connection-rows.js';
import { decodeProcAddress } from '../../src/agent/proc-net-parser.js';
import { createRecordWriter } from '../../src/cli/output-format.js';
import { PROTOCOLS, TCP_STATES, UDP_STATES, type WireConnection } from '../../src/commands/netstat-vocabulary.js';

/** What `agent --once --format jsonl` printed before connectionJsonlChunks: the jsonl writer over connectionRows. */
async function throughWriter(guid: string, connections: readonly WireConnection[]): Promise<string> {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const writer = createRecordWriter('jsonl', out);
  for (const row of connectionRows(guid, connections)) await writer.write(row);
  await writer.end();
  return text;
}

/** A connection as the collector makes it: addresses decoded from /proc's hex, so in canonical text. */
const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex').toUpperCase());
const connection: fc.Arbitrary<WireConnection> = fc
  .record({
    pid: fc.option(fc.integer({ min: 1, max: 4_194_304 }), { nil: null }),
    protocol: fc.constantFrom(...PROTOCOLS),
    local: fc.oneof(
      hex(16),
      hex(16).map((h) => `0000000000000000FFFF0000${h.slice(24)}`),
      fc.constant('00000000000000000000000001000000'),
    ),
    remote: hex(16),
    localV4: hex(4),
    remoteV4: hex(4),
    local_port: fc.integer({ min: 0, max: 65_535 }),
    remote_port: fc.integer({ min: 0, max: 65_535 }),
    tcpState: fc.constantFrom(...TCP_STATES),
    udpState: fc.constantFrom(...UDP_STATES),
    order: fc.constantFrom('LE' as const, 'BE' as const),
  })
  .map((r) => {
    const v6 = r.protocol.endsWith('6');
    return {
      pid: r.pid,
      protocol: r.protocol,
      local_ip: decodeProcAddress(v6 ? r.local : r.localV4, r.order),
      local_port: r.local_port,
      remote_ip: decodeProcAddress(v6 ? r.remote : r.remoteV4, r.order),
      remote_port: r.remote_port,
      state: r.protocol.startsWith('tcp') ? r.tcpState : r.udpState,
    };
  });

describe('connectionJsonlChunks', () => {
  it('prints what the jsonl writer prints for connectionRows, for any guid and collected connections (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Guids with controls, DEL, C1, bidirectional marks and astral characters: escaped the same way.
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('\u001b[31m', 'a\u202eb', '\u0085\u007f', 'web-01')),
        fc.array(connection, { maxLength: 40 }),
        async (guid, connections) => {
          expect([...connectionJsonlChunks(guid, connections)].join('')).toBe(await throughWriter(guid, connections));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('cuts a long listing into chunks of 512 whole lines', () => {
    const one: WireConnection = {
      pid: 4242,
      protocol: 'tcp6',
      local_ip: '::1',
      local_port: 8443,
      remote_ip: '::ffff:10.0.0.1',
      remote_port: 51000,
      state: 'ESTABLISHED',
    };
    const chunks = [
      ...connectionJsonlChunks(
        'web-01',
        Array.from({ length: 5_000 }, () => one),
      ),
    ];
    expect(chunks).toHaveLength(Math.ceil(5_000 / 512));
    for (const [i, chunk] of chunks.entries()) {
      expect(chunk.startsWith('{"guid":"web-01",')).toBe(true);
      expect(chunk.endsWith('}\n')).toBe(true);
      expect(chunk.split('\n')).toHaveLength((i < chunks.length - 1 ? 512 : 5_000 % 512) + 1);
    }
    const lines = chunks.join('').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(5_000);
    expect(JSON.parse(lines[4_999]!)).toEqual({ guid: 'web-01', ...one });
  });

  it('prints nothing for no connections', () => {
    expect([...connectionJsonlChunks('g', [])]).toEqual([]);
  });

  it.runIf(platform() === 'linux')("prints what the jsonl writer prints for connectionRows, for this host's sockets", async () => {
    const connections = collectLinuxConnections();
    expect(connections.length).toBeGreaterThan(0);
    expect([...connectionJsonlChunks('me', connections)].join('')).toBe(await throughWriter('me', connections));
  });
});
