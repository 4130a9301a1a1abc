/**
 * Every runtime error message (`_error`) of the plugin, in one catalogue beside the parse-error codes.
 *
 * A runtime error does not stop the query: the input record goes downstream with `_error` set to one of these
 * messages. The first six come from the reference page; the rest are ours. `docs/errors.md` documents each
 * entry and `test/errors/errors-documented.test.ts` checks both directions (every entry documented, every
 * documented message an entry).
 *
 * @module
 */

/** One runtime error: a stable id, how its message reads, and when it happens. */
export interface RuntimeError<Args extends unknown[] = []> {
  /** Stable identifier (the key in {@link RUNTIME_ERRORS}). */
  readonly id: string;
  /** Renders the `_error` text. */
  readonly message: (...args: Args) => string;
  /** The message with its placeholders in capitals (`node NAME is unreachable`), as the docs show it. */
  readonly pattern: string;
  /** One line for the documentation: when it happens. */
  readonly description: string;
}

function define<Args extends unknown[] = []>(
  id: string,
  pattern: string,
  message: string | ((...args: Args) => string),
  description: string,
): RuntimeError<Args> {
  const render = typeof message === 'string' ? () => message : message;
  return Object.freeze({ id, pattern, message: render, description });
}

/** The catalogue of `_error` messages. */
export const RUNTIME_ERRORS = Object.freeze({
  /** The input record's `guid` is null or missing. */
  GUID_NULL: define('GUID_NULL', 'guid is null', 'guid is null', 'The guid field value in the input record is null.'),
  /** The input record's `guid` is not a string. */
  GUID_NOT_STRING: define(
    'GUID_NOT_STRING',
    'guid should be string',
    'guid should be string',
    'The guid field value in the input record is not a string.',
  ),
  /** The input record's `guid` is an empty string. */
  GUID_EMPTY: define(
    'GUID_EMPTY',
    'guid should be non empty string',
    'guid should be non empty string',
    'The guid field value in the input record is an empty string.',
  ),
  /** No sentry of that guid holds a link to the node. */
  NOT_CONNECTED: define('NOT_CONNECTED', 'not connected', 'not connected', 'The sentry is not connected.'),
  /** No answer within the call's timeout. */
  TIMEOUT: define('TIMEOUT', 'timeout', 'timeout', 'The RPC request timed out.'),
  /** The link dropped while the call was in flight. */
  DISCONNECTED: define('DISCONNECTED', 'disconnected', 'disconnected', 'The connection was lost while processing the RPC request.'),
  /** sonar: the data node holding the sentry cannot be reached. */
  NODE_UNREACHABLE: define<[node: string]>(
    'NODE_UNREACHABLE',
    'node NAME is unreachable',
    (node) => `node ${node} is unreachable`,
    'sonar-sentry-netstat: the data node holding the sentry has stopped announcing itself on NATS (down, or cut off), or does not answer for it.',
  ),
  /** sonar: the input's `node` field names no data node of the cluster. */
  UNKNOWN_NODE: define<[node: string]>(
    'UNKNOWN_NODE',
    'unknown node NAME',
    (node) => `unknown node ${node}`,
    "sonar-sentry-netstat: the input record's node field names no data node of the cluster.",
  ),
  /** sonar: this node's own connection to NATS is down and did not come back in time. */
  CLUSTER_UNREACHABLE: define(
    'CLUSTER_UNREACHABLE',
    'the cluster is unreachable: no NATS server answers this node',
    'the cluster is unreachable: no NATS server answers this node',
    'sonar-sentry-netstat: the node running the query lost its connection to every NATS server for longer than NATS_RECONNECT_GRACE_MS (3 s).',
  ),
  /** sonar on a host that is not the control node of a cluster. */
  NOT_A_CLUSTER: define(
    'NOT_A_CLUSTER',
    'not a cluster: this host has no data nodes (use sentry-netstat)',
    'not a cluster: this host has no data nodes (use sentry-netstat)',
    'sonar-sentry-netstat ran on a host that is not the control node of a cluster.',
  ),
  /** sentry-netstat on the control node of a cluster, which holds no sentries itself. */
  CONTROL_NODE: define(
    'CONTROL_NODE',
    'this is a control node: use sonar-sentry-netstat',
    'this is a control node: use sonar-sentry-netstat',
    'sentry-netstat ran on the control node of a cluster, whose sentries are all on its data nodes.',
  ),
  /** sonar: the data node refused to run a method that is not a sentry method of the plugin. */
  METHOD_NOT_FORWARDED: define<[method: string]>(
    'METHOD_NOT_FORWARDED',
    'the data node does not forward method METHOD',
    (method) => `the data node does not forward method ${method}`,
    'sonar-sentry-netstat: the data node was asked for a sentry method it does not know (a version mismatch).',
  ),
  /** sonar: the data node refused a call's params or timeout. */
  INVALID_FORWARDED_CALL: define<[detail: string]>(
    'INVALID_FORWARDED_CALL',
    'invalid forwarded call: DETAIL',
    (detail) => `invalid forwarded call: ${detail}`,
    'sonar-sentry-netstat: the data node refused a call whose params or timeout are out of bounds.',
  ),
  /** sonar: the data node already runs the most calls it takes at once. */
  TOO_MANY_PENDING_CALLS: define<[limit: number]>(
    'TOO_MANY_PENDING_CALLS',
    'too many calls pending on the data node (limit LIMIT)',
    (limit) => `too many calls pending on the data node (limit ${limit})`,
    'sonar-sentry-netstat: the data node already had the most calls in flight it takes at once; this one was refused.',
  ),
  /** The sentry's answer broke the method's schema; nothing of it is shown. */
  MALFORMED_ANSWER: define<[method: string, detail: string]>(
    'MALFORMED_ANSWER',
    'malformed METHOD answer: PATH: WHAT (got VALUE)',
    (method, detail) => `malformed ${method} answer${detail === '' ? '' : `: ${detail}`}`,
    "The sentry answered something that does not fit the method's schema.",
  ),
  /** The sentry raised an exception; its own message is passed through (never empty). */
  SENTRY_EXCEPTION: define<[message: string]>(
    'SENTRY_EXCEPTION',
    'MESSAGE',
    (message) => (message === '' ? 'sentry RPC failed' : message),
    "The sentry's own exception message, passed through (`sentry RPC failed` when it gave none), control characters written out and cut to 1024 characters.",
  ),
});

/** Every runtime error, for documentation and tests. */
export const ALL_RUNTIME_ERRORS: readonly RuntimeError<never[]>[] = Object.values(RUNTIME_ERRORS);
