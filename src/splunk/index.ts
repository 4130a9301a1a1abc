/**
 * Our commands as Splunk custom search commands (protocol v2, "chunked"): the protocol (chunk reader and writer,
 * request metadata checked, CSV records with `__mv_` multivalue companions), one command's session
 * ({@link runSplunkSession}: getinfo → capability and parse → one answer per execute), the app's commands by Splunk
 * name ({@link SPLUNK_COMMANDS}), its settings (`sentry.conf`) and the capability check against splunkd. The app
 * itself is `apps/sentry_netstat/`; see docs/commands/splunk.md.
 *
 * @packageDocumentation
 */
export { ChunkReader, readChunks, type RawChunk, type ChunkReaderLimits } from './chunk-reader.js';
export { SplunkChunkError, type SplunkChunkErrorKind } from './chunk-error.js';
export {
  encodeChunk,
  executeReplyMetadata,
  getinfoReplyMetadata,
  readRequest,
  requestMetadataSchema,
  searchInfoSchema,
  type InspectorMessage,
  type InspectorMessageLevel,
  type RequestMetadata,
  type SearchInfo,
  type SplunkRequest,
} from './chunked-protocol.js';
export {
  parseRecords,
  formatRecords,
  encodeMultivalue,
  decodeMultivalue,
  MV_PREFIX,
  type SplunkRecord,
  type OutputRecord,
} from './mv-csv.js';
export { parseCsvRows } from './csv-rows.js';
export { runSplunkSession, type SplunkSessionOptions, type SessionExitCode } from './search-command-session.js';
export { unreachableAccess, type SentryAccess, type SessionBackend } from './session-backend.js';
export { SPLUNK_COMMANDS, splunkCommandNamed, type SplunkCommand } from './splunk-commands.js';
export { rowFromSplunk, recordForSplunk } from './splunk-values.js';
export { RecordFeed } from './record-feed.js';
export { RunSummary } from './run-summary.js';
export { loadAppSettings, appDirOf, defaultAppDir, SENTRY_CONF, SENTRY_APP_DIR_ENV, type AppSettings, type Env } from './app-settings.js';
export {
  parseConf,
  mergeConf,
  confValues,
  readConfFile,
  ConfFileError,
  DEFAULT_STANZA,
  type ConfSetting,
  type ConfStanzas,
} from './conf-file.js';
export {
  fetchCaller,
  splunkdTransport,
  SplunkdContextError,
  type SplunkdCaller,
  type SplunkdContextOptions,
  type SplunkdContextErrorKind,
  type SplunkdTransport,
} from './splunkd-capabilities.js';
export { SENTRY_RPC_CAPABILITY, hasCapability } from './capability.js';
