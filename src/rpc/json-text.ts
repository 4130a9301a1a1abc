/**
 * A result that is already JSON text: the channel splices it into the response frame instead of serialising
 * it again. The simulator answers thousands of calls with the same few answers this way.
 *
 * @module
 */

/** A handler result given as JSON text, sent as is. */
export class JsonText {
  /** @param text - valid JSON (not checked: whoever builds it vouches for it) */
  constructor(readonly text: string) {}
}
