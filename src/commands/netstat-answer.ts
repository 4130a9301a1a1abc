import { z } from 'zod';
import { RUNTIME_ERRORS } from '../errors/runtime-errors.js';
import { IpAddress } from '../runtime/ip-address.js';
import type { Row } from '../runtime/value.js';
import { describeIssue } from '../runtime/zod-issue.js';
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
  .object({
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
  })
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
 */
export function netstatRows(guid: string, answer: unknown): Row[] {
  const rows = fastNetstatRows(guid, answer);
  if (rows) return rows;
  const parsed = netstatAnswerSchema.safeParse(answer, { reportInput: true });
  if (!parsed.success) {
    const [first] = parsed.error.issues;
    throw new MalformedAnswerError(RUNTIME_ERRORS.MALFORMED_ANSWER.message('netstat', first ? describeIssue(first) : ''));
  }
  return parsed.data.map((c) => netstatRow(guid, c, c.local_ip, c.remote_ip));
}

/**
 * {@link netstatConnectionSchema} without its transforms and refinement: the shape and the plain values only.
 * zod checks this in about 0.2 µs a connection; the full schema, whose per-field transforms and refinement are
 * what make it slow, took over 1 µs, more than everything else sentry-netstat does per record.
 */
const plainAnswerSchema = z.array(
  z.object({
    pid: z.number().int().min(0).nullish(),
    protocol: z.enum(PROTOCOLS),
    local_ip: z.string(),
    local_port: port,
    remote_ip: z.string(),
    remote_port: port,
    state: z.string(),
  }),
);

const STATES: Readonly<Record<Protocol, ReadonlySet<string>>> = {
  tcp: new Set(TCP_STATES),
  tcp6: new Set(TCP_STATES),
  udp: new Set(UDP_STATES),
  udp6: new Set(UDP_STATES),
};
const FAMILY: Readonly<Record<Protocol, 4 | 6>> = { tcp: 4, tcp6: 6, udp: 4, udp6: 6 };

/**
 * The rows of a valid answer, the fast way: the plain schema, then the checks of the full schema's refinement
 * by hand. Returns `undefined` at the first thing it does not accept, and {@link netstatRows} asks the full
 * schema, which then finds and words the problem. A property test holds the two to the same answers.
 */
function fastNetstatRows(guid: string, answer: unknown): Row[] | undefined {
  const parsed = plainAnswerSchema.safeParse(answer);
  if (!parsed.success) return undefined;
  const rows: Row[] = new Array<Row>(parsed.data.length);
  for (let i = 0; i < rows.length; i++) {
    const c = parsed.data[i]!;
    const localIp = IpAddress.tryParse(c.local_ip);
    const remoteIp = IpAddress.tryParse(c.remote_ip);
    const family = FAMILY[c.protocol];
    if (!STATES[c.protocol].has(c.state) || localIp?.family !== family || remoteIp?.family !== family) return undefined;
    rows[i] = netstatRow(guid, c, localIp, remoteIp);
  }
  return rows;
}
