import { z } from 'zod';
import { RUNTIME_ERRORS } from '../errors/runtime-errors.js';
import { IpAddress } from '../runtime/ip-address.js';
import type { Row } from '../runtime/value.js';
import { NETSTAT_ANSWER_CONNECTION_LIMIT } from '../rpc/limits.js';
import { describeIssue, previewValue } from '../runtime/zod-issue.js';
import { netstatRow, PROTOCOLS, TCP_STATES, UDP_STATES, type Protocol } from './netstat-vocabulary.js';

export { PROTOCOLS, TCP_STATES, UDP_STATES, type Protocol, type WireConnection } from './netstat-vocabulary.js';

const port = z
  .number({ error: 'expected an integer port 0..65535' })
  .int({ error: 'expected an integer port 0..65535' })
  .min(0, { error: 'expected an integer port 0..65535' })
  .max(65535, { error: 'expected an integer port 0..65535' });

const ipText = z.string({ error: 'expected an IP address string' }).transform((text, ctx) => {
  const address = IpAddress.tryParse(text);
  if (address) return address;
  ctx.addIssue({ code: 'custom', message: 'expected an IP address', input: text });
  return z.NEVER;
});

/**
 * One connection as a sentry reports it. Unknown extra keys are ignored (newer agents may say more);
 * every known key is checked, including that the state belongs to the protocol and the address family
 * to the protocol.
 */
export const netstatConnectionSchema = z
  .object(
    {
      /** Process id owning the socket; `null` when unknown (a missing pid is read as `null`). */
      pid: z
        .number({ error: 'expected an integer pid or null' })
        .int({ error: 'expected an integer pid or null' })
        .min(0, { error: 'expected an integer pid or null' })
        .nullish()
        .transform((pid) => pid ?? null),
      /** Protocol: `tcp`, `tcp6`, `udp` or `udp6`. */
      protocol: z.enum(PROTOCOLS, { error: 'expected tcp, tcp6, udp or udp6' }),
      /** Local address, parsed. */
      local_ip: ipText,
      /** Local port, 0–65535. */
      local_port: port,
      /** Remote address, parsed. */
      remote_ip: ipText,
      /** Remote port, 0–65535. */
      remote_port: port,
      /** Socket state; must be one of the protocol's states. */
      state: z.string({ error: 'expected a state string' }),
    },
    { error: 'expected a connection object' },
  )
  .superRefine((c, ctx) => {
    const states: readonly string[] = c.protocol.startsWith('tcp') ? TCP_STATES : UDP_STATES;
    if (!states.includes(c.state)) {
      ctx.addIssue({ code: 'custom', path: ['state'], input: c.state, message: `expected a ${c.protocol} state (${states.join(', ')})` });
    }
    const family = c.protocol.endsWith('6') ? 6 : 4;
    for (const key of ['local_ip', 'remote_ip'] as const) {
      if (c[key].family !== family) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          input: c[key].toString(),
          message: `expected an IPv${family} address for ${c.protocol}`,
        });
      }
    }
  });

/** The answer of the `netstat` RPC: an array of connections. */
export const netstatAnswerSchema = z.array(netstatConnectionSchema, { error: 'expected an array of connections' });

/** A validated connection. */
export type NetstatConnection = z.output<typeof netstatConnectionSchema>;

/** The answer could not be read; the message says where and why. */
export class MalformedAnswerError extends Error {
  /** Always `MalformedAnswerError`. */
  override readonly name = 'MalformedAnswerError';
}

/**
 * Validates a `netstat` answer and turns it into output records with exactly the fields
 * guid, pid, protocol, local_ip, local_port, remote_ip, remote_port, state.
 * Throws {@link MalformedAnswerError} (e.g. `malformed netstat answer: [2].local_port: expected an integer port
 * 0..65535 (got 70000)`): one bad connection rejects the whole answer, so corruption is never half-shown.
 *
 * The answer is untrusted, so this costs O(its size) with a small constant and stops at the first problem: the
 * connections are checked one by one (a plain loop, no recursion), only the first bad one is handed to the full
 * schema to word the error, and an answer of more than {@link NETSTAT_ANSWER_CONNECTION_LIMIT} connections is
 * refused before any is read. An answer of millions of `{}` or nested 100,000 levels deep is one error, at once.
 */
export function netstatRows(guid: string, answer: unknown): Row[] {
  if (!Array.isArray(answer)) {
    throw malformed(`expected an array of connections${answer === undefined ? '' : ` (got ${previewValue(answer)})`}`);
  }
  if (answer.length > NETSTAT_ANSWER_CONNECTION_LIMIT) {
    throw malformed(`${answer.length} connections, more than the limit of ${NETSTAT_ANSWER_CONNECTION_LIMIT}`);
  }
  const rows: Row[] = new Array<Row>(answer.length);
  for (let i = 0; i < rows.length; i++) rows[i] = fastNetstatRow(guid, answer[i]) ?? fullNetstatRow(guid, answer[i], i);
  return rows;
}

function malformed(detail: string): MalformedAnswerError {
  return new MalformedAnswerError(RUNTIME_ERRORS.MALFORMED_ANSWER.message('netstat', detail));
}

/**
 * Connection `index`, which {@link fastNetstatRow} did not accept, by the full schema: its first issue becomes
 * the error. Should the full schema accept it after all, its row is used (the two are held to the same answers
 * by a property test, so this does not happen).
 */
function fullNetstatRow(guid: string, connection: unknown, index: number): Row {
  const parsed = netstatConnectionSchema.safeParse(connection, { reportInput: true });
  if (parsed.success) return netstatRow(guid, parsed.data, parsed.data.local_ip, parsed.data.remote_ip);
  const [first] = parsed.error.issues;
  throw malformed(first ? describeIssue({ ...first, path: [index, ...first.path] }) : `[${index}]`);
}

const PROTOCOL_SET: ReadonlySet<unknown> = new Set(PROTOCOLS);
const STATES: Readonly<Record<Protocol, ReadonlySet<unknown>>> = {
  tcp: new Set(TCP_STATES),
  tcp6: new Set(TCP_STATES),
  udp: new Set(UDP_STATES),
  udp6: new Set(UDP_STATES),
};
const FAMILY: Readonly<Record<Protocol, 4 | 6>> = { tcp: 4, tcp6: 6, udp: 4, udp6: 6 };

/** A port as the schema takes it: an integer 0..65535. */
function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535;
}

/**
 * The row of one connection, the fast way: {@link netstatConnectionSchema}'s checks by hand (zod's transforms
 * and refinement cost over 1 µs a connection, more than everything else sentry-netstat does per record).
 * Returns `undefined` at the first thing it does not accept; {@link fullNetstatRow} then finds and words the
 * problem. Each field is read once, so what is checked is what goes into the row.
 */
function fastNetstatRow(guid: string, c: unknown): Row | undefined {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return undefined;
  const { pid, protocol, local_ip, local_port, remote_ip, remote_port, state } = c as Record<string, unknown>;
  if (!PROTOCOL_SET.has(protocol)) return undefined;
  const proto = protocol as Protocol;
  if (pid !== undefined && pid !== null && !(typeof pid === 'number' && Number.isSafeInteger(pid) && pid >= 0)) return undefined;
  if (typeof local_ip !== 'string' || typeof remote_ip !== 'string' || !isPort(local_port) || !isPort(remote_port)) return undefined;
  if (!STATES[proto].has(state)) return undefined;
  const localIp = IpAddress.tryParse(local_ip);
  const remoteIp = IpAddress.tryParse(remote_ip);
  const family = FAMILY[proto];
  if (localIp?.family !== family || remoteIp?.family !== family) return undefined;
  return netstatRow(guid, { pid, protocol: proto, local_port, remote_port, state: state as string }, localIp, remoteIp);
}
