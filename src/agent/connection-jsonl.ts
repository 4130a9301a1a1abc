import type { WireConnection } from '../commands/netstat-vocabulary.js';
import { escapeJsonControls } from '../runtime/untrusted-text.js';

/** Records per chunk: about 64 KB of lines (a pipe's buffer, as BatchingWriter hands out). */
const CHUNK_RECORDS = 512;

/** Between two records of a JSON array of them; cannot occur inside a JSON string, where `"` is escaped. */
const BETWEEN_RECORDS = '},{"guid":';

/**
 * The JSON Lines `sentry-query agent --once --format jsonl` prints for connections this process collected
 * itself, in chunks of about 64 KB: byte for byte what `connectionRows` written by the jsonl writer gives (a
 * test holds the two equal), without an `IpAddress` per address and a JSON.stringify per record. Each chunk
 * is one JSON.stringify of plain records (V8's native serialiser, fast even in a cold process where a
 * JavaScript loop still runs in the interpreter) whose `},{` separators become line breaks. At 5,000 sockets
 * in a fresh process: the writer's path 25–35 ms, a string built by hand 11–18 ms, this 5–10 ms.
 *
 * It relies on what the collector guarantees: addresses in canonical text (decodeProcAddress writes them with
 * the same RFC 5952 code `IpAddress` uses, so parsing them would give them back unchanged). The text is made
 * terminal-safe once a chunk as the jsonl writer does ({@link escapeJsonControls}).
 *
 * Only the reference page's fields are written, in its order: guid, pid, protocol, local_ip, local_port,
 * remote_ip, remote_port, state.
 */
export function* connectionJsonlChunks(guid: string, connections: readonly WireConnection[]): Generator<string> {
  for (let start = 0; start < connections.length; start += CHUNK_RECORDS) {
    const records = [];
    for (let i = start; i < connections.length && i < start + CHUNK_RECORDS; i++) {
      const c = connections[i]!;
      records.push({
        guid,
        pid: c.pid ?? null,
        protocol: c.protocol,
        local_ip: c.local_ip,
        local_port: c.local_port,
        remote_ip: c.remote_ip,
        remote_port: c.remote_port,
        state: c.state,
      });
    }
    const array = JSON.stringify(records);
    yield escapeJsonControls(`${array.slice(1, -1).replaceAll(BETWEEN_RECORDS, '}\n{"guid":')}\n`);
  }
}
