/**
 * The node side of the sentry link: {@link WebSocketConnector} (a `SentryConnector` sentries connect to), its
 * key registry and key files, and the hello frame.
 *
 * @packageDocumentation
 */
export { KeyRegistry, type KeyCheck, type KeyChanges } from './key-registry.js';
export { WebSocketConnector, type WebSocketConnectorOptions, type ConnectorLogEvent } from './websocket-connector.js';
export { helloFrameSchema, type HelloFrame } from './protocol.js';
export {
  loadKeysFile,
  readKeysFile,
  writeKeysFile,
  loadAgentKey,
  loadSecretFile,
  keysFileSchema,
  KeyFileError,
  MIN_SECRET_BYTES,
} from './key-file.js';
