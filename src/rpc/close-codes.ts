/**
 * The close codes every link uses (the reason text says the detail).
 *
 * @module
 */

/** WebSocket close codes the links use (the reason text says the detail). */
export const CLOSE_CODES = Object.freeze({
  /** The server is shutting down. */
  goingAway: 1001,
  /** A frame was not JSON or broke the schema. */
  malformedFrame: 1007,
  /** Authentication failed or did not happen in time. */
  policy: 1008,
  /** A frame exceeded the frame limit (sent by `ws` itself). */
  tooBig: 1009,
  /** A newer authenticated link of the same guid took over. */
  replaced: 4000,
  /**
   * Another sentry is connected with this guid and answered a ping: the newcomer is refused, the live link kept
   * (the reason names the guid and the other sentry's address).
   */
  duplicateGuid: 4001,
});
