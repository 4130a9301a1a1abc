/**
 * The transport-neutral JSON-RPC channel every link is built on: {@link RpcChannel} over a {@link FramePort},
 * the challenge and hello handshake, the WebSocket port and server, the transport rules (TLS off loopback),
 * close codes, and every limit (frame sizes, deadlines).
 *
 * @packageDocumentation
 */
export { CLOSE_CODES } from './close-codes.js';
export { welcomeFrameSchema, type WelcomeFrame } from './welcome-frame.js';
export * from './limits.js';
export { type FramePort } from './frame-port.js';
export { RpcChannel, type RpcChannelOptions } from './rpc-channel.js';
export { type RpcHandler, type RpcHandlers } from './rpc-handlers.js';
export { JsonText } from './json-text.js';
export { awaitGreeting, sendGreeting, sendWelcome, type Handshake, type HandshakeEvents } from './handshake.js';
export { WebSocketPort, type WebSocketPortEvents } from './websocket-port.js';
export {
  challengeFrameSchema,
  type ChallengeFrame,
  proofSchema,
  PROOF_PURPOSE,
  type ProofPurpose,
  NONCE_BYTES,
  newNonce,
  challengeText,
  proofOf,
  proofMatches,
  secretBytes,
} from './challenge.js';
export {
  InsecureTransportError,
  isLoopbackHost,
  requireSecureUrl,
  describeConnectError,
  isCertificateError,
  WEBSOCKET_SCHEMES,
  type TransportSchemes,
} from './transport-security.js';
export { AdmissionGuard, sourceOf, type Admission, type AdmissionOptions } from './admission.js';
export { PreAuthLog, type PreAuthLogEvent, type PreAuthLogOptions } from './pre-auth-log.js';
export { listenHttp, closeHttp, type HttpListenOptions } from './http-listener.js';
