/** Exit codes of `sentry-query`. */
export const EXIT = Object.freeze({
  ok: 0,
  /** Bad scenario, unknown user, usage, query failure. */
  failure: 1,
  /** The query does not parse. */
  parseError: 2,
  /** Stopped by SIGINT (128 + 2). */
  interrupted: 130,
});
