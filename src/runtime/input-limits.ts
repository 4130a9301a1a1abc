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
 * The largest key, keys or token file the CLI reads (16 MiB). A keys file of 100,000 sentries at ~100 bytes
 * each is 10 MiB; a bigger file is the wrong file (a log, a disk image), and it is refused before it is read
 * into memory.
 */
export const SECRET_FILE_MAX_BYTES = 16 * 1024 * 1024;
