import { z } from 'zod';
import { RUNTIME_ERRORS } from '../errors/runtime-errors.js';
import { IpAddress } from '../runtime/ip-address.js';
import type { Row } from '../runtime/value.js';
import { NETSTAT_ANSWER_CONNECTION_LIMIT, NETSTAT_OWNERS_LIMIT } from '../rpc/limits.js';
import { describeIssue, previewValue } from '../runtime/zod-issue.js';
import { netstatRow, PROTOCOLS, TCP_STATES, UDP_STATES, type ConnectionDetail, type Protocol } from './netstat-vocabulary.js';

export {
  DETAIL_FIELD_NAMES,
  PROTOCOLS,
  TCP_STATES,
  UDP_STATES,
  type ConnectionDetail,
  type Protocol,
  type WireConnection,
} from './netstat-vocabulary.js';

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

/** The fields every connection has (the reference page's), checked. */
const connectionShape = {
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
};

/** A non-negative safe integer or null (missing reads as null): uid, inode, netns. */
const countOrNull = (what: string) =>
  z
    .number({ error: `expected a non-negative integer ${what} or null` })
    .int({ error: `expected a non-negative integer ${what} or null` })
    .min(0, { error: `expected a non-negative integer ${what} or null` })
    .nullish()
    .transform((n) => n ?? null);

/** Text or null (missing reads as null): process name, container id. Bounded where it enters the record. */
const textOrNull = (what: string) =>
  z
    .string({ error: `expected a ${what} string or null` })
    .nullish()
    .transform((text) => text ?? null);

/** The detail fields (`detail=t`), checked; each may be missing (an older agent), which reads as null. */
const detailShape = {
  /** Process name of the lowest owner. */
  process: textOrNull('process name'),
  /** Every pid holding the socket, at most {@link NETSTAT_OWNERS_LIMIT}. */
  owners: z
    .array(
      z
        .number({ error: 'expected a non-negative integer pid' })
        .int({ error: 'expected a non-negative integer pid' })
        .min(0, { error: 'expected a non-negative integer pid' }),
      { error: 'expected a list of pids or null' },
    )
    .max(NETSTAT_OWNERS_LIMIT, { error: `expected at most ${NETSTAT_OWNERS_LIMIT} owners` })
    .nullish()
    .transform((owners) => owners ?? null),
  /** Socket owner uid. */
  uid: countOrNull('uid'),
  /** Socket inode. */
  inode: countOrNull('inode'),
  /** Network namespace inode. */
  netns: countOrNull('netns'),
  /** Container id. */
  container: textOrNull('container id'),
};

/** The checks across fields: the state belongs to the protocol, and the address family to the protocol. */
function checkConnection(c: { protocol: Protocol; state: string; local_ip: IpAddress; remote_ip: IpAddress }, ctx: z.RefinementCtx): void {
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
}

/**
 * One connection as a sentry reports it. Unknown extra keys are ignored (newer agents may say more), the
 * detail fields included: without `detail=t` they are not read; every known key is checked, including that
 * the state belongs to the protocol and the address family to the protocol.
 */
export const netstatConnectionSchema = z.object(connectionShape, { error: 'expected a connection object' }).superRefine(checkConnection);

/**
 * One connection of an answer to `netstat` with `{ detail: true }`: {@link netstatConnectionSchema} and the
 * detail fields, each optional (missing reads as null): `process` and `container` text, `owners` a list of at
 * most {@link NETSTAT_OWNERS_LIMIT} non-negative integers, `uid`, `inode` and `netns` non-negative integers.
 */
export const netstatDetailConnectionSchema = z
  .object({ ...connectionShape, ...detailShape }, { error: 'expected a connection object' })
  .superRefine(checkConnection);

/** The answer of the `netstat` RPC: an array of connections. */
export const netstatAnswerSchema = z.array(netstatConnectionSchema, { error: 'expected an array of connections' });

/** The answer of the `netstat` RPC called with `{ detail: true }`: an array of connections with their detail. */
export const netstatDetailAnswerSchema = z.array(netstatDetailConnectionSchema, { error: 'expected an array of connections' });

/** A validated connection. */
export type NetstatConnection = z.output<typeof netstatConnectionSchema>;

/** A validated connection with its detail (each detail field `null` when the sentry did not say). */
export type NetstatDetailConnection = z.output<typeof netstatDetailConnectionSchema>;

/** The answer could not be read; the message says where and why. */
export class MalformedAnswerError extends Error {
  /** Always `MalformedAnswerError`. */
  override readonly name = 'MalformedAnswerError';
}

/** How to read a `netstat` answer. */
export interface NetstatRowsOptions {
  /**
   * Check the detail fields and add them to each record (`detail=t`): process, owners, uid, inode, netns,
   * container, after the reference page's fields, `null` when the sentry did not say. @default false: the
   * records have exactly the reference page's fields, whatever the sentry sent.
   */
  readonly detail?: boolean;
}

/**
 * Validates a `netstat` answer and turns it into output records with exactly the fields
 * guid, pid, protocol, local_ip, local_port, remote_ip, remote_port, state (and, with `detail`, process,
 * owners, uid, inode, netns, container).
 * Throws {@link MalformedAnswerError} (e.g. `malformed netstat answer: [2].local_port: expected an integer port
 * 0..65535 (got 70000)`): one bad connection rejects the whole answer, so corruption is never half-shown.
 *
 * The answer is untrusted, so this costs O(its size) with a small constant and stops at the first problem: the
 * connections are checked one by one (a plain loop, no recursion), only the first bad one is handed to the full
 * schema to word the error, and an answer of more than {@link NETSTAT_ANSWER_CONNECTION_LIMIT} connections is
 * refused before any is read. An answer of millions of `{}` or nested 100,000 levels deep is one error, at once.
 */
export function netstatRows(guid: string, answer: unknown, options: NetstatRowsOptions = {}): Row[] {
  const detail = options.detail === true;
  if (!Array.isArray(answer)) {
    throw malformed(`expected an array of connections${answer === undefined ? '' : ` (got ${previewValue(answer)})`}`);
  }
  if (answer.length > NETSTAT_ANSWER_CONNECTION_LIMIT) {
    throw malformed(`${answer.length} connections, more than the limit of ${NETSTAT_ANSWER_CONNECTION_LIMIT}`);
  }
  const rows: Row[] = new Array<Row>(answer.length);
  for (let i = 0; i < rows.length; i++) rows[i] = fastNetstatRow(guid, answer[i], detail) ?? fullNetstatRow(guid, answer[i], i, detail);
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
function fullNetstatRow(guid: string, connection: unknown, index: number, detail: boolean): Row {
  const parsed = (detail ? netstatDetailConnectionSchema : netstatConnectionSchema).safeParse(connection, { reportInput: true });
  if (parsed.success) {
    const c = parsed.data;
    return netstatRow(guid, c, c.local_ip, c.remote_ip, detail ? (c as NetstatDetailConnection) : undefined);
  }
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

/** A non-negative integer as the schema takes it (pid, uid, inode, netns; zod's `int` is a safe integer). */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Missing, null or a count: uid, inode, netns. */
function isCountOrNull(value: unknown): value is number | null | undefined {
  return value === undefined || value === null || isCount(value);
}

/** Missing, null or text: process, container. */
function isTextOrNull(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

/** Missing, null, or a list of at most NETSTAT_OWNERS_LIMIT counts. */
function isOwners(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (!Array.isArray(value) || value.length > NETSTAT_OWNERS_LIMIT) return false;
  for (const pid of value) if (!isCount(pid)) return false;
  return true;
}

/** The detail fields of `c`, checked by hand as the schema would; `undefined` at the first it does not accept. */
function fastDetail(c: Record<string, unknown>): ConnectionDetail | undefined {
  const { process, owners, uid, inode, netns, container } = c;
  if (!isTextOrNull(process) || !isOwners(owners) || !isCountOrNull(uid) || !isCountOrNull(inode) || !isCountOrNull(netns))
    return undefined;
  if (!isTextOrNull(container)) return undefined;
  return { process, owners, uid, inode, netns, container } as ConnectionDetail;
}

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
function fastNetstatRow(guid: string, c: unknown, detail: boolean): Row | undefined {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return undefined;
  const { pid, protocol, local_ip, local_port, remote_ip, remote_port, state } = c as Record<string, unknown>;
  if (!PROTOCOL_SET.has(protocol)) return undefined;
  const proto = protocol as Protocol;
  if (!isCountOrNull(pid)) return undefined;
  if (typeof local_ip !== 'string' || typeof remote_ip !== 'string' || !isPort(local_port) || !isPort(remote_port)) return undefined;
  if (!STATES[proto].has(state)) return undefined;
  const localIp = IpAddress.tryParse(local_ip);
  const remoteIp = IpAddress.tryParse(remote_ip);
  const family = FAMILY[proto];
  if (localIp?.family !== family || remoteIp?.family !== family) return undefined;
  let details: ConnectionDetail | undefined;
  if (detail && (details = fastDetail(c as Record<string, unknown>)) === undefined) return undefined;
  return netstatRow(guid, { pid, protocol: proto, local_port, remote_port, state: state as string }, localIp, remoteIp, details);
}
