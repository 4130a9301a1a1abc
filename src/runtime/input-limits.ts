/**
 * The bounds on what the runtime takes in from outside the links: text a sentry (or a data node) wrote, which
 * ends up in records, and the secret files the CLI reads. They live here rather than in `src/rpc/limits.ts`
 * because the SDK contract (`SentryRpcError`) and the commands apply them, and those must not depend on the
 * transport; `src/rpc/limits.ts` re-exports them, so every limit is still listed there.
 *
 * @module
 */

/**
 * The longest `_error` a record carries (1024 characters), the sentry's own exception message included; a
 * longer one is cut, ending with `… [truncated from N characters]`. A sentry's error is one line (`permission
 * denied`, `unsupported method: ps`); 1024 leaves room for a path or two. Without a bound a hostile sentry's
 * 1 MiB message would be kept once per record (a table or CSV holds every record until the end: 10,000
 * sentries would be 10 GiB) and printed across hundreds of terminal lines.
 */
export const SENTRY_ERROR_MAX_CHARS = 1024;

/**
 * The longest host name or operating system a `sentry` record shows (256 characters), as the connector's hello
 * schema already bounds them on the sentry link (a DNS name is at most 253). The `sentry` command applies it to
 * whatever reports them, a data node's list on the control node included.
 */
export const SENTRY_LABEL_MAX_CHARS = 256;

/**
 * The longest process name a `netstat` record shows with `detail=t` (256 characters). Linux names a process by
 * its `comm`, at most 15 bytes (what `ss -p` shows); other systems by an image or file name, at most 255. The
 * name is whatever the process chose (`prctl(PR_SET_NAME)`), so it is escaped and cut like any text a sentry sends.
 */
export const PROCESS_NAME_MAX_CHARS = 256;

/**
 * The longest container id a `netstat` record shows with `detail=t` (128 characters). Docker, containerd and
 * podman name a container by 64 hex digits in its cgroup path; twice that leaves room for another runtime's
 * form, and anything longer is not an id.
 */
export const CONTAINER_ID_MAX_CHARS = 128;

/**
 * The most owners (pids) one connection of a `netstat` answer may list (65,536): more than Apache's hard
 * `ServerLimit` (20,000 prefork children sharing the listening socket) and the default `pid_max` of a small
 * host (32,768). Each row keeps its owners as a list and a table or CSV keeps every row until its end, so one
 * connection of a hostile answer must not carry millions of them; an answer over the bound is malformed.
 */
export const NETSTAT_OWNERS_LIMIT = 65_536;

/**
 * The largest key, keys or token file the CLI reads (16 MiB). A keys file of 100,000 sentries at ~100 bytes
 * each is 10 MiB; a bigger file is the wrong file (a log, a disk image), and it is refused before it is read
 * into memory.
 */
export const SECRET_FILE_MAX_BYTES = 16 * 1024 * 1024;
