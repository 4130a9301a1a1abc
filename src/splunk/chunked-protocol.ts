/**
 * Splunk's custom search command protocol v2 ("chunked"): what splunkd asks (the metadata of its chunks, checked)
 * and how a command answers (chunks written).
 *
 * A session, as splunk/splunk-sdk-python runs it (splunklib/searchcommands/search_command.py,
 * `SearchCommand._process_protocol_v2` then `_execute_v2`): splunkd sends a `getinfo` chunk (metadata with the
 * `searchinfo`, no body); the command answers with its configuration (`type`, `generating`, ... and an
 * `inspector` with messages, if any; `RecordWriterV2.write_metadata`); then splunkd sends `execute` chunks
 * (records in the body, `finished: true` on the last) and the command answers each with a chunk of records and
 * `{"finished": ...}` (`RecordWriterV2.write_chunk`), until end of stream. A getinfo-only session (splunkd asks
 * only for the configuration, then closes the stream) is normal.
 *
 * @module
 */
import { z } from 'zod';
import { describeIssue } from '../runtime/zod-issue.js';
import { SplunkChunkError } from './chunk-error.js';
import type { RawChunk } from './chunk-reader.js';

/**
 * The parts of `searchinfo` this package reads (the names splunklib's `_process_protocol_v2` and
 * `_metadata_map` read); everything else splunkd sends is kept as it is. splunklib converts `earliest_time` and
 * `latest_time` with `float(...)`, so they may come as numbers or as text.
 */
export const searchInfoSchema = z.looseObject({
  /** The command's arguments, as splunkd split them (read when `raw_args` is absent). */
  args: z.array(z.string()).optional(),
  /** The command's arguments as the user typed them, quotes kept (the argument text the command parses). */
  raw_args: z.array(z.string()).optional(),
  /** The whole search string the command is part of. */
  search: z.string().optional(),
  /** The search job's id. */
  sid: z.string().optional(),
  /** The app the search runs in. */
  app: z.string().optional(),
  /** The owner of the search's knowledge objects (the user, or `nobody`). */
  owner: z.string().optional(),
  /** The user who runs the search. */
  username: z.string().optional(),
  /** The job's dispatch folder, where splunkd keeps its artifacts. */
  dispatch_dir: z.string().optional(),
  /** splunkd's version, e.g. `9.2.1`. */
  splunk_version: z.string().optional(),
  /** Start of the search's time range (epoch seconds), if any. */
  earliest_time: z.union([z.number(), z.string()]).optional(),
  /** End of the search's time range (epoch seconds), if any. */
  latest_time: z.union([z.number(), z.string()]).optional(),
  /** Most records in one answer of a generating command (limits.conf `maxresultrows`). */
  maxresultrows: z.union([z.number(), z.string()]).optional(),
});

/** The metadata of a chunk from splunkd. */
export const requestMetadataSchema = z.looseObject({
  /** `getinfo` (the first chunk: asks for the command's configuration) or `execute` (records to process). */
  action: z.enum(['getinfo', 'execute']),
  /** On an `execute` chunk: `true` on the last one (no more records follow). */
  finished: z.boolean().optional(),
  /** `true` when splunkd asks for preview results (a search still running). */
  preview: z.boolean().optional(),
  /** About the search, sent with `getinfo`. */
  searchinfo: searchInfoSchema.optional(),
});

/** The parts of `searchinfo` read, as checked by {@link searchInfoSchema}; unknown keys kept. */
export type SearchInfo = z.infer<typeof searchInfoSchema>;
/** A chunk's metadata, as checked by {@link requestMetadataSchema}; unknown keys kept. */
export type RequestMetadata = z.infer<typeof requestMetadataSchema>;

/** A chunk from splunkd, its metadata checked. */
export interface SplunkRequest {
  /** The metadata, checked against the protocol. */
  metadata: RequestMetadata;
  /** The body: CSV records (`execute`), or empty. */
  body: string;
}

/**
 * Checks a chunk's metadata against the protocol. As `_process_protocol_v2` does, a `getinfo` chunk must have
 * no body. Throws {@link SplunkChunkError} (`bad-metadata`).
 */
export function readRequest(chunk: RawChunk): SplunkRequest {
  const parsed = requestMetadataSchema.safeParse(chunk.metadata);
  if (!parsed.success) {
    const [first] = parsed.error.issues;
    throw new SplunkChunkError(
      'bad-metadata',
      `Splunk chunked protocol: a chunk's metadata breaks the protocol${first ? `: ${describeIssue(first)}` : ''}`,
    );
  }
  if (parsed.data.action === 'getinfo' && chunk.body.length > 0) {
    throw new SplunkChunkError(
      'bad-metadata',
      'Splunk chunked protocol: a getinfo chunk came with a body (splunkd sends records only with execute)',
    );
  }
  return { metadata: parsed.data, body: chunk.body };
}

/** The levels of an inspector message (splunklib's `write_debug` ... `write_fatal`). */
export type InspectorMessageLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

/** One message for the job inspector and splunkweb: `[level, text]`, as splunklib encodes its `Message` tuples. */
export type InspectorMessage = readonly [InspectorMessageLevel, string];

/**
 * The metadata of an answer to an `execute` chunk (`RecordWriterV2.write_chunk`): `finished`, and the messages
 * under `inspector.messages` when there are any.
 */
export function executeReplyMetadata(finished: boolean, messages: readonly InspectorMessage[] = []): Record<string, unknown> {
  return messages.length > 0 ? { inspector: { messages }, finished } : { finished };
}

/**
 * The metadata of the answer to the `getinfo` chunk (`RecordWriterV2.write_metadata`): the command's
 * configuration (`type`, `generating`, `required_fields`, ...) then its messages under `inspector.messages`.
 */
export function getinfoReplyMetadata(
  configuration: Readonly<Record<string, unknown>>,
  messages: readonly InspectorMessage[] = [],
): Record<string, unknown> {
  return messages.length > 0 ? { ...configuration, inspector: { messages } } : { ...configuration };
}

/**
 * One chunk to send: `chunked 1.0,<metadata bytes>,<body bytes>\n`, the metadata, the body (lengths in UTF-8
 * bytes). As `RecordWriterV2._write_chunk` does, top-level metadata entries whose value is `null` or `undefined`
 * are left out, and the JSON is compact with every non-ASCII character escaped (`\uXXXX`, its `_iterencode_json`
 * with `encode_basestring_ascii`), so the metadata's byte length is its character length.
 */
export function encodeChunk(metadata: Readonly<Record<string, unknown>>, body = ''): Buffer {
  const kept = Object.fromEntries(Object.entries(metadata).filter(([, value]) => value !== null && value !== undefined));
  const json = Buffer.from(asciiJson(kept), 'utf8');
  const bodyBytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`chunked 1.0,${json.length},${bodyBytes.length}\n`, 'latin1'), json, bodyBytes]);
}

/** JSON text with every character past ASCII escaped, as Python's `json` writes by default. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
