/**
 * What the JSON-RPC channel needs of a transport: send a text frame, close. Inbound frames are handed to the
 * channel's `receive` by whoever owns the transport. A WebSocket is one (websocket-port.ts); a message bus
 * subject pair would be another.
 *
 * @module
 */

/** A transport's outbound side, as the channel and the handshake use it. */
export interface FramePort {
  /** Sends one text frame. Throws when the transport is closed (the frame cannot go out). */
  send(text: string): void;
  /** Closes the transport, telling the peer why; idempotent. */
  close(code: number, reason: string): void;
}
