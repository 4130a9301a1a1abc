/**
 * The close reason a sentry refused as a duplicate gets: it names the guid and the address of the sentry that
 * holds it, so whoever runs the refused one knows which machine to look at.
 *
 * @module
 */

/** A WebSocket close reason may hold at most 123 bytes of UTF-8 (RFC 6455, 5.5: control frames carry ≤ 125). */
const CLOSE_REASON_MAX_BYTES = 123;

/**
 * `duplicate guid: another sentry is connected as GUID from IP`, within the close reason's 123 bytes: a long
 * guid is cut (ending in `…`) so the address still fits.
 */
export function duplicateGuidReason(guid: string, holderIp: string | undefined): string {
  const from = holderIp === undefined ? '' : ` from ${holderIp}`;
  const text = (g: string): string => `duplicate guid: another sentry is connected as ${g}${from}`;
  if (Buffer.byteLength(text(guid)) <= CLOSE_REASON_MAX_BYTES) return text(guid);
  const chars = [...guid];
  while (chars.length > 0 && Buffer.byteLength(text(`${chars.join('')}…`)) > CLOSE_REASON_MAX_BYTES) chars.pop();
  return text(`${chars.join('')}…`);
}
