/**
 * Every size, deadline and period of the links, in one place: each says why it is what it is. The links and
 * servers read these; an option of the same name overrides one where a test or an operator needs to.
 *
 * @module
 */

/**
 * Largest frame a connector accepts from a sentry (16 MiB). A `netstat` answer of a busy host (tens of
 * thousands of sockets at ~200 bytes each) fits with room; anything bigger is a broken or hostile sentry, and
 * `ws` closes its socket with 1009 before buffering more.
 */
export const SENTRY_FRAME_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Most connections one `netstat` answer may hold (200,000); an answer with more is refused as malformed before
 * any connection is read. The shortest valid connection is ~99 bytes of JSON, so a frame within
 * {@link SENTRY_FRAME_LIMIT_BYTES} holds at most ~170,000 and no answer a sentry can send is refused (a busy host
 * has tens of thousands of sockets, at ~150–200 bytes each). It bounds what the rest cannot: an answer relayed
 * by a data node (whose frames may reach {@link CLUSTER_FRAME_LIMIT_BYTES}) or handed over in process, so the
 * rows one answer builds stay bounded too.
 */
export const NETSTAT_ANSWER_CONNECTION_LIMIT = 200_000;

/**
 * Deepest nesting a query's expression may have (100 levels of parentheses, `not` and unary minus together),
 * and of the JSON text of a `json "..."` command; deeper is parse error 90004. The parser and the evaluator
 * recurse once per level, and the stack of a Node process overflows at about 850 levels of parentheses; no
 * query a person or a generator writes comes near 100. Long flat chains (`a or b or ...`, `1 + 2 + ...`) are
 * not nesting: they are read and evaluated in a loop, at any length.
 */
export const QUERY_NESTING_LIMIT = 100;

/**
 * Largest frame the control node accepts from a data node (64 MiB): a relayed sentry answer (up to
 * {@link SENTRY_FRAME_LIMIT_BYTES}) or a data node's `sentries` list of tens of thousands of sentries.
 */
export const CLUSTER_FRAME_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Largest frame a side that only takes requests accepts (1 MiB): the cluster endpoint, the query server, an
 * agent and a simulated sentry. Requests are a method name and a few params; a bigger frame is an attack.
 */
export const REQUEST_FRAME_LIMIT_BYTES = 1024 * 1024;

/**
 * How long a peer has for the handshake (10 s): a server closes a socket that has not sent its hello or join
 * by then (1008), and a client gives up on a welcome that has not come. Long enough for a TLS handshake over a
 * slow link; short enough that idle sockets cannot pile up. The query server gives a query request as long.
 */
export const HANDSHAKE_DEADLINE_MS = 10_000;

/**
 * How often a connector pings each authenticated sentry (30 s); a sentry that has not answered the previous
 * ping by the next is dropped. Under the common 60 s idle timeout of NATs and load balancers, so the pings
 * also keep the link open through them.
 */
export const PING_INTERVAL_MS = 30_000;

/** How long a closing server waits for its peers' closing handshakes before dropping their sockets (1 s). */
export const CLOSE_GRACE_MS = 1_000;

/**
 * What the control node adds to a call's own timeout before it gives up on the data node (1 s), so the data
 * node's `timeout` (which names the sentry's fault) normally arrives first.
 */
export const CLUSTER_CALL_SLACK_MS = 1_000;

/**
 * How long the control node waits for a data node's `sentries` list (10 s). A hung node keeps its last known
 * list; the bound keeps refreshes from piling up behind it.
 */
export const DIRECTORY_CALL_TIMEOUT_MS = 10_000;

/** How often the control node renews its directory of sentries from every data node (2 s), by default. */
export const DIRECTORY_REFRESH_MS = 2_000;

/**
 * An agent's reconnect backoff (500 ms base, 30 s cap): a fleet dropped by a connector restart comes back
 * spread over seconds, and a long outage costs one attempt per 30 s per sentry at most.
 */
export const AGENT_RECONNECT = Object.freeze({
  /** The first retry's ceiling. */
  baseMs: 500,
  /** The largest delay between attempts. */
  capMs: 30_000,
});

/**
 * The control node's reconnect backoff to a data node (200 ms base, 5 s cap): few links, each carrying a whole
 * node's sentries, so they retry sooner than agents do.
 */
export const NODE_RECONNECT = Object.freeze({
  /** The first retry's ceiling. */
  baseMs: 200,
  /** The largest delay between attempts. */
  capMs: 5_000,
});

// The bounds on sentry-provided text in records and on secret files are applied by the runtime and the commands,
// which must not depend on the transport: they live in src/runtime/input-limits.ts, with their reasons, and are
// listed here so that every limit can be found in this file.
export { SENTRY_ERROR_MAX_CHARS, SENTRY_LABEL_MAX_CHARS, SECRET_FILE_MAX_BYTES } from '../runtime/input-limits.js';
