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
 * by a data node over NATS or handed over in process, so the
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
 * Largest frame a side that only takes requests accepts (8 KiB): an agent and a simulated sentry. A request is
 * a method name, an id and a few params ({@link CLUSTER_CALL_PARAMS_LIMIT_BYTES} at most through a cluster):
 * well under 1 KiB today. A bigger frame is a broken or hostile peer, and `ws`
 * refuses it (1009) from its header, before buffering it.
 */
export const REQUEST_FRAME_LIMIT_BYTES = 8 * 1024;

/**
 * How many bytes a connection may send, once upgraded to WebSocket, before it authenticates (8 KiB): on every
 * port, the greeting (a hello of at most ~5 KiB: a 4 KiB key and short names; a query request: its proof and the
 * query text) with its framing. Past it the socket is dropped at once
 * (see src/rpc/admission.ts for why this is counted on the socket and not left to `ws`'s `maxPayload`), so 100
 * hostile sockets cost ~100 × (8 KiB + one 64 KiB read) instead of 100 × 16 MiB.
 */
export const PRE_AUTH_BYTES_LIMIT = 8 * 1024;

/**
 * How many connections a port holds that have not authenticated yet: all sources together (1,024) and from one
 * source (64; IPv6 sources grouped by their /64, which one host controls). A connection counts from its TCP
 * accept (raw, TLS or WebSocket, before or after the upgrade) until it authenticates or closes; past either cap
 * a new connection is refused at once (a plain-HTTP port answers 503 first). A handshake takes milliseconds,
 * so 64 at once from one address absorbs a fleet behind one NAT reconnecting together (the refused retry with
 * their backoff); one client can no longer fill the descriptor table or the port, and a flood from many
 * sources on one port leaves the other ports (each has its own caps) usable.
 */
export const UNAUTHENTICATED_CONNECTIONS = Object.freeze({
  /** All sources together, per port. */
  total: 1024,
  /** From one source address (IPv6: one /64), per port. */
  perSource: 64,
});

/**
 * Failed authentications a source may cause per window (20 per 10 s), per port: a wrong key or token, a
 * malformed or oversize greeting, a missed deadline. Past it, that source's new connections are refused at
 * once until the window ends. A genuine sentry with a wrong key stops at its first refusal, far below; a key-guessing client gets 2 attempts a second.
 */
export const AUTH_FAILURES = Object.freeze({
  /** Failures allowed per source and window. */
  limit: 20,
  /** The window, in milliseconds; also the period of the log's summary lines. */
  windowMs: 10_000,
});

/**
 * How many sources the pre-authentication log and failure counters track at once (4,096). A flood from more
 * addresses is still summarised, as one line for all the others, so neither memory nor the log grows with the
 * number of addresses an attacker controls.
 */
export const TRACKED_SOURCES_LIMIT = 4_096;

/**
 * Largest `params` a call through the cluster may have a data node forward to a sentry (2 KiB of JSON). The
 * sentry methods take no params today (`{}`); the bound keeps a stolen NATS credential from pushing large
 * payloads at every sentry.
 */
export const CLUSTER_CALL_PARAMS_LIMIT_BYTES = 2 * 1024;

/**
 * Longest timeout a forwarded call may ask for (600 s): the `timeout` option's own maximum, so nothing the
 * commands send is refused, and a call cannot hold its slot for an hour.
 */
export const CLUSTER_CALL_TIMEOUT_LIMIT_MS = 600_000;

/**
 * How many forwarded calls a data node runs at once (1,000): ten queries at the default parallelism of 100.
 * Past it a call is refused at once (never queued): its record gets the error, and the data node's memory and
 * timers stay bounded whatever the holder of a stolen NATS credential sends.
 */
export const CLUSTER_PENDING_CALLS_LIMIT = 1_000;

/**
 * The shortest time between two collections of one method on an agent (1 s). A call that arrives while a
 * collection runs shares it; one that arrives within 1 s of the last collection's end gets that result (it is
 * that fresh); otherwise a new collection starts, at most one per second. A `netstat` of a busy host costs tens
 * of milliseconds of a core, so a node, however hostile, can take a few percent of a core at most; a snapshot
 * of sockets one second old is as current as the collection itself is atomic.
 */
export const AGENT_COLLECTION_INTERVAL_MS = 1_000;

/**
 * How many calls an agent lets wait for a collection slot per method (64). Only calls with params other than
 * the last collection's wait; past it a call is refused at once (`sentry busy`) instead of queueing.
 */
export const AGENT_WAITING_CALLS_LIMIT = 64;

/**
 * How long a peer has for the handshake (10 s): a server closes a socket that has not sent its hello by then
 * (1008), and a client gives up on a welcome that has not come. Long enough for a TLS handshake over a
 * slow link; short enough that idle sockets cannot pile up. The query server gives a query request as long.
 */
export const HANDSHAKE_DEADLINE_MS = 10_000;

/**
 * How often a connector pings each authenticated sentry (30 s); a sentry that has not answered the previous
 * ping by the next is dropped. Under the common 60 s idle timeout of NATs and load balancers, so the pings
 * also keep the link open through them.
 */
export const PING_INTERVAL_MS = 30_000;

/**
 * How long a connector waits for a sentry's current link to answer a ping when another sentry authenticates
 * with the same guid (2 s). Answered: the current one is alive, and the newcomer is refused (a second machine
 * with that guid, e.g. a cloned VM), instead of the two replacing each other for ever. Not answered: the link is
 * dead (a network drop the connector has not noticed yet), and the newcomer replaces it at once. A ping's round
 * trip is milliseconds; 2 s absorbs a loaded link and stays well inside the newcomer's handshake deadline
 * ({@link HANDSHAKE_DEADLINE_MS}).
 */
export const DUPLICATE_GUID_PROBE_MS = 2_000;

/**
 * The connector logs a guid's refused duplicates once per window (60 s), with how many it refused since its
 * last line: a cloned machine retrying under a service manager does not fill the log.
 */
export const DUPLICATE_GUID_LOG_WINDOW_MS = 60_000;

/** How long a closing server waits for its peers' closing handshakes before dropping their sockets (1 s). */
export const CLOSE_GRACE_MS = 1_000;

/**
 * What a caller through the cluster adds to a call's own timeout before it gives up (1 s), so the data node's
 * `timeout` (which names the sentry's fault) normally arrives first.
 */
export const CLUSTER_CALL_SLACK_MS = 1_000;

/**
 * How often a data node announces itself on NATS (1 s): a heartbeat of a few dozen bytes with its sentry count
 * and directory version, whatever the number of sentries it holds (the list itself travels only when it
 * changed: batched changes, or the full list on request). Direct agents announce every
 * {@link DIRECT_AGENT_HEARTBEAT_MS}.
 */
export const NODE_HEARTBEAT_MS = 1_000;

/**
 * A data node whose last heartbeat is older than this (3 s: three missed heartbeats) is suspect: calls to its
 * sentries fail at once with `node NAME is unreachable`, and so do calls it had acknowledged. A NATS failover
 * (the node reconnecting to another server) takes ~0.3 s, well under it.
 */
export const NODE_SUSPECT_AFTER_MS = 3_000;

/**
 * A data node silent for this long (6 s) is gone: its sentries leave `sentry` and their calls get
 * `not connected`. This is the documented bound on how long a dead node's sentries stay listed.
 */
export const NODE_EXPIRY_MS = 6_000;

/**
 * How often a sentry connected straight to NATS (`agent --nats`) announces itself (10 s), and how long after
 * its last announcement it leaves `sentry` ({@link DIRECT_AGENT_EXPIRY_MS}, 30 s). Longer than a node's: a
 * fleet of direct agents announces each on its own, so 100,000 agents cost 10,000 small messages a second.
 */
export const DIRECT_AGENT_HEARTBEAT_MS = 10_000;

/** See {@link DIRECT_AGENT_HEARTBEAT_MS}: three missed announcements. */
export const DIRECT_AGENT_EXPIRY_MS = 30_000;

/**
 * How long a data node gathers sentry connects and disconnects before it announces them as one message
 * (100 ms): a fleet reconnecting at once costs a few messages, not one per sentry.
 */
export const PRESENCE_BATCH_MS = 100;

/**
 * How long a caller waits for a responder's acknowledgement before it publishes the call again (1 s). An
 * acknowledgement takes a NATS round trip (well under 10 ms on a LAN); a call or its acknowledgement lost in a
 * server that died is sent again instead of waiting for its timeout. Only the plugin's read-only sentry methods
 * travel this way, so a repeated call is harmless.
 */
export const NATS_ACK_WAIT_MS = 1_000;

/**
 * A responder acknowledges a call only when its answer is not ready within 100 ms: most answers come sooner, and
 * then say all an acknowledgement would, which saves one message per call (10,000 per 10,000-sentry query). Far
 * enough under {@link NATS_ACK_WAIT_MS} that a slow call is acknowledged before its caller publishes it again.
 */
export const NATS_ACK_DELAY_MS = 100;

/**
 * When NATS answers "no responders" for a sentry that a live data node announces, the caller tries again after
 * these delays (50 ms doubling to 800 ms) for as long as the node is not suspect and the call has time: the
 * node is re-subscribing after a NATS failover.
 */
export const NO_RESPONDERS_RETRY = Object.freeze({
  /** The first delay. */
  baseMs: 50,
  /** The largest delay. */
  capMs: 800,
});

/**
 * How long a caller whose own NATS connection is down waits for it to come back before its calls fail with the
 * cluster being unreachable (3 s): a failover to another server takes ~0.3 s; a longer outage is reported per
 * record instead of as a `timeout` after the whole call's timeout.
 */
export const NATS_RECONNECT_GRACE_MS = 3_000;

/**
 * The NATS client's wait between reconnect attempts (250 ms; the client's default is 2 s). A failover then
 * takes ~0.3 s instead of ~2 s, which is what lets a query survive a server's death without timeouts.
 */
export const NATS_RECONNECT_WAIT_MS = 250;

/**
 * Room left for headers in each chunk of an answer (4 KiB). An answer larger than the server's `max_payload`
 * (1 MiB by default; a 40,000-socket netstat is ~4.4 MB) is sent in chunks of `max_payload` minus this, so
 * nobody has to raise the server's limit.
 */
export const NATS_CHUNK_HEADER_ROOM_BYTES = 4 * 1024;

/**
 * Largest answer a caller reassembles from chunks for a sentry call (16 MiB, as {@link SENTRY_FRAME_LIMIT_BYTES}:
 * a data node cannot get a bigger answer from its sentry), and for a data node's full sentry list (64 MiB: over
 * 300,000 sentries). More is a broken or hostile responder: the call fails as malformed.
 */
export const NATS_ANSWER_LIMIT_BYTES = Object.freeze({
  /** A sentry's answer. */
  call: 16 * 1024 * 1024,
  /** A data node's list of sentries. */
  list: 64 * 1024 * 1024,
});

/**
 * How long the control node waits for a data node's full list of sentries (10 s). A node that does not answer
 * keeps what the control node knew, and is asked again at its next heartbeat.
 */
export const NODE_LIST_TIMEOUT_MS = 10_000;

/**
 * How many replies the NATS permissions of a data node or a direct agent allow per request (2,048) and for how
 * long (10 min, the longest call timeout): the acknowledgement and the chunks of the largest reply
 * ({@link NATS_ANSWER_LIMIT_BYTES}.list, 64 MiB) even on a server whose `max_payload` is as small as 64 KiB
 * (64 MiB / 60 KiB per chunk = 1,093). Each reply is still bounded by the caller, which stops reading a reply
 * at its limit.
 */
export const NATS_RESPONSE_PERMISSION = Object.freeze({
  /** Replies per request. */
  max: 2_048,
  /** How long the reply permission lasts (nats-server duration syntax). */
  expires: '10m',
});

/**
 * An agent's reconnect backoff (500 ms base, doubling, 5 s cap, full jitter: each delay uniform in [0, ceiling)).
 * After a node restart or an outage the fleet is back within 5 s of the node (plus its handshake), not the 20–30 s
 * a 30 s cap gave. The jitter spreads a fleet over those 5 s (10,000 sentries: ~2,000 handshakes a second, which
 * the admission caps absorb, the refused retrying); a long outage costs a sentry one TCP connect per 2.5 s on
 * average, nothing a node or a network notices. Refusals that retrying cannot fix (authentication, certificate,
 * wrong endpoint, duplicate guid) stop the agent instead of retrying (src/agent/link-failure.ts).
 */
export const AGENT_RECONNECT = Object.freeze({
  /** The first retry's ceiling. */
  baseMs: 500,
  /** The largest delay between attempts. */
  capMs: 5_000,
});

// The bounds on sentry-provided text in records and on secret files are applied by the runtime and the commands,
// which must not depend on the transport: they live in src/runtime/input-limits.ts, with their reasons, and are
// listed here so that every limit can be found in this file.
export {
  SENTRY_ERROR_MAX_CHARS,
  SENTRY_LABEL_MAX_CHARS,
  SECRET_FILE_MAX_BYTES,
  PROCESS_NAME_MAX_CHARS,
  CONTAINER_ID_MAX_CHARS,
  NETSTAT_OWNERS_LIMIT,
} from '../runtime/input-limits.js';

/**
 * Largest frame a query client (`runRemoteQuery`, `sentry-query --host`) accepts from a node (64 MiB, as
 * {@link NATS_ANSWER_LIMIT_BYTES}.list). A node's largest frame is a `records` frame of at most 500 rows
 * (`MAX_BATCH_ROWS`, src/remote/record-batches.ts): ~150 KiB of netstat rows (~300 bytes each), and 64 MiB
 * leaves room for rows of 128 KiB each on average (long text a sentry or a query put in them). A bigger frame is
 * a broken or hostile node, and `ws` refuses it (1009) from its header, before buffering it, instead of its
 * default of 100 MiB.
 */
export const QUERY_RESPONSE_FRAME_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Longest query text an audit line (`"event":"query"`) quotes (1,024 characters; longer is cut with
 * `… [truncated from N characters]`). A request may hold up to {@link PRE_AUTH_BYTES_LIMIT} of text; 1 KiB shows
 * any query a person writes whole while a flood of long generated ones cannot make the log 8 times bigger.
 */
export const AUDIT_QUERY_MAX_CHARS = 1_024;

/**
 * How often `sentry-query` checks, while no record is being written, whether the reader of its stdout pipe went
 * away (`… | head -1`), to cancel the query instead of waiting for a slow sentry (src/cli/closed-output.ts):
 * 250 ms, a delay nobody notices, for one poll(2) of one fd each time.
 */
export const OUTPUT_CLOSED_PROBE_MS = 250;

/**
 * `sentry-query --format table` prints records in blocks, each a table of its own: a block goes out when it has
 * 100 records (about a screen: widths fitted to what is on screen) or 500 ms after its first record (a slow
 * fan-out shows what has come, and half a second keeps a burst of fast answers in one table).
 */
export const TABLE_BLOCK = Object.freeze({
  /** Records a block holds at most. */
  rows: 100,
  /** How long a block waits for more records after its first. */
  waitMs: 500,
});

/**
 * How often `sentry-query` redraws its progress line on a terminal's stderr during a fan-out (src/cli/progress-line.ts):
 * 4 times a second reads as live without flicker, and costs one short write each time.
 */
export const PROGRESS_REDRAW_MS = 250;

/**
 * Longest chunk header line a Splunk custom search command reads (128 bytes): `chunked 1.0,<metadata bytes>,<body
 * bytes>` is about 30 bytes even at the largest lengths {@link SPLUNK_CHUNK_METADATA_LIMIT_BYTES} and
 * {@link SPLUNK_CHUNK_BODY_LIMIT_BYTES} allow, with room for the spaces splunklib's header pattern tolerates. A
 * longer line without its newline is not the chunked protocol (a protocol v1 header, or noise) and is refused
 * without buffering more (src/splunk/chunk-reader.ts).
 */
export const SPLUNK_CHUNK_HEADER_LIMIT_BYTES = 128;

/**
 * Largest metadata (the JSON object) of one chunk splunkd may declare (1 MiB). A `getinfo` chunk's metadata is
 * the search's `searchinfo` (the search text, its arguments, the sid, app, user, a session key): a few KiB, the
 * search text being the only part that grows; an `execute` chunk's is a few dozen bytes. A bigger declared length
 * is refused from the header, before any of it is buffered.
 */
export const SPLUNK_CHUNK_METADATA_LIMIT_BYTES = 1024 * 1024;

/**
 * Largest body (CSV records) of one chunk splunkd may declare (256 MiB). splunkd sends at most `maxresultrows`
 * records a chunk (50,000 by default); at ~2 KiB an event (a `_raw` and its fields) that is ~100 MiB, so this
 * leaves room for wide events while keeping one chunk, decoded once to a string, far below what a Node string
 * holds (~512 MiB). A bigger declared length is refused from the header, before any of it is buffered.
 */
export const SPLUNK_CHUNK_BODY_LIMIT_BYTES = 256 * 1024 * 1024;

/**
 * Records a generating Splunk command (`sentrylist`) writes in one answer when splunkd's getinfo does not say
 * (`searchinfo.maxresultrows`): 50,000, splunkd's own default (limits.conf `maxresultrows`), as splunklib's
 * `GeneratingCommand` pages; more records go in the next answer (`finished: false`).
 */
export const SPLUNK_DEFAULT_MAX_RESULT_ROWS = 50_000;

/**
 * How many distinct `_error` messages the job inspector's summary names (5), most frequent first; the rest are
 * counted. A fleet with thousands of distinct sentry exception texts must not make the message unreadable.
 */
export const SPLUNK_SUMMARY_ERROR_KINDS = 5;

/**
 * Largest Splunk .conf file the app reads (1 MiB): `default/sentry.conf` and `local/sentry.conf`
 * (src/splunk/conf-file.ts). A sentry.conf is a few hundred bytes, commented a few KiB; a bigger file is the wrong
 * file (a log, a core dump linked in by mistake) and is refused from its size, before it is read, so a search
 * command that reads it at each start cannot be made to load megabytes.
 */
export const SPLUNK_CONF_LIMIT_BYTES = 1024 * 1024;

/**
 * How long a Splunk custom search command waits for splunkd to say who runs the search (10 s;
 * src/splunk/splunkd-capabilities.ts): connect, TLS and the whole answer of `authentication/current-context`.
 * splunkd is normally on the same host and answers in milliseconds; 10 s absorbs one busy with a burst of searches,
 * and a splunkd that does not answer by then fails the search with a clear error instead of letting it hang.
 */
export const SPLUNKD_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Largest answer splunkd may give to `authentication/current-context` (1 MiB). The answer is one entry: a user
 * name, a few roles and the capabilities of those roles (a few hundred names, ~10–20 KiB even for `admin`, with
 * its links and ACL). Anything bigger is not splunkd, and is refused before more of it is buffered.
 */
export const SPLUNKD_RESPONSE_LIMIT_BYTES = 1024 * 1024;
