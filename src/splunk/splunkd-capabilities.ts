/**
 * Who runs the search, asked of splunkd: a custom search command gets `searchinfo.splunkd_uri` and
 * `searchinfo.session_key` at getinfo, and splunkd's REST API tells whose key it is and what that user may do.
 * The sentry commands run only for a caller with the capability `run_sentry_rpc` (./capability.ts).
 *
 * The endpoint is `GET /services/authentication/current-context?output_mode=json` with `Authorization: Splunk KEY`.
 * Splunk's REST API Reference Manual, "Access endpoint descriptions" (docs.splunk.com/Documentation/Splunk/latest/
 * RESTREF/RESTaccess, `authentication/current-context`): it "lists one item named 'context'" for the current user.
 * The fields read here are those Splunk apps read from that item: `entry[0].content.username`, `.roles` and
 * `.capabilities` (arrays of names) in the JSON output, as splunklib's `Entity(service,
 * 'authentication/current-context').content['capabilities']` does. Everything else in the answer is ignored.
 *
 * The session key is a bearer secret for the user's whole session: it is sent only in that header, only over TLS
 * or to this host's loopback, and it appears in no message this module makes (each is also scrubbed of it).
 *
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { SPLUNKD_REQUEST_TIMEOUT_MS, SPLUNKD_RESPONSE_LIMIT_BYTES } from '../rpc/limits.js';
import { isCertificateError, isLoopbackHost } from '../rpc/transport-security.js';
import { describeIssue, previewValue } from '../runtime/zod-issue.js';

export { SENTRY_RPC_CAPABILITY, hasCapability } from './capability.js';

/** What went wrong, for a caller that reacts by kind (the message is for people). */
export type SplunkdContextErrorKind =
  /** `splunkd_uri` is not a URL this module will send the key to; nothing was sent. */
  | 'bad-uri'
  /** No connection, or one that broke: nothing listens there, the name does not resolve, TLS spoken to plain HTTP. */
  | 'unreachable'
  /** splunkd answered 401 or 403: it does not accept the session key (or the key is not one to send). */
  | 'refused-key'
  /** splunkd answered another status that is not 2xx (a redirect included: it is not followed). */
  | 'http'
  /** An answer that is not JSON, not of the expected shape, or larger than `SPLUNKD_RESPONSE_LIMIT_BYTES` (src/rpc/limits.ts). */
  | 'bad-answer'
  /** No whole answer within the timeout. */
  | 'timeout'
  /** splunkd's TLS certificate did not verify (against `[splunkd] ca_file`, or the system's CAs). */
  | 'certificate';

/**
 * splunkd could not say who runs the search. The message names splunkd by its URI's origin (scheme, host, port)
 * and says what to check; it never holds the session key.
 */
export class SplunkdContextError extends Error {
  /** Always `SplunkdContextError`. */
  override readonly name = 'SplunkdContextError';

  constructor(
    /** What went wrong, for a caller that reacts by kind. */
    readonly kind: SplunkdContextErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Where splunkd is and how to reach it; the URI and the key come from getinfo's `searchinfo`. */
export interface SplunkdContextOptions {
  /** `searchinfo.splunkd_uri`, e.g. `https://127.0.0.1:8089`. */
  splunkdUri: string;
  /** `searchinfo.session_key`: never in any message, log or exception text. */
  sessionKey: string;
  /** PEM of the CA that signed splunkd's certificate (the app's `[splunkd] ca_file` setting); verified against when given. */
  ca?: string | Buffer;
  /** Aborts the request; it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Connect, TLS and the whole answer together; {@link SPLUNKD_REQUEST_TIMEOUT_MS} by default. */
  timeoutMs?: number;
}

/** The user whose session key the search carries, as splunkd describes them. */
export interface SplunkdCaller {
  /** The user's name (`content.username`), never empty. */
  username: string;
  /** The user's roles (`content.roles`), as splunkd names them. */
  roles: string[];
  /** Every capability the user has through their roles (`content.capabilities`), e.g. `run_sentry_rpc`. */
  capabilities: string[];
}

/** How a request to splunkd is made, decided from its URI and `ca` alone, before any socket is opened. */
export interface SplunkdTransport {
  /** `scheme://host:port` of splunkd, for messages (never a user name, password or path). */
  readonly origin: string;
  /** The URL to connect to (origin only). */
  readonly url: URL;
  /** `false` for plain HTTP (loopback only); otherwise the TLS options of the request. */
  readonly tls:
    | false
    | {
        /** Whether splunkd's certificate is verified: always with a CA given or to another host, not to loopback without one. */
        readonly rejectUnauthorized: boolean;
        /** PEM of the CA to verify against (`[splunkd] ca_file`); when absent, the system's CAs (if `rejectUnauthorized`). */
        readonly ca?: string | Buffer;
      };
}

const CURRENT_CONTEXT_PATH = '/services/authentication/current-context?output_mode=json';

/** What to fix when splunkd's certificate does not verify. */
const CA_ADVICE = "set ca_file in [splunkd] of the app's local/sentry.conf to the PEM of the CA that signed splunkd's certificate";

/** The part of the answer read: the one entry's user name, roles and capabilities; the rest is splunkd's own. */
const currentContextSchema = z.looseObject({
  entry: z
    .array(
      z.looseObject({
        content: z.looseObject({
          username: z.string().min(1),
          roles: z.array(z.string()),
          capabilities: z.array(z.string()),
        }),
      }),
    )
    .min(1),
});

/** splunkd's error body: `{"messages": [{"type": "ERROR", "text": "..."}]}`. */
const splunkdMessagesSchema = z.looseObject({ messages: z.array(z.looseObject({ text: z.string() })).min(1) });

/**
 * Decides how to reach splunkd at `splunkdUri`, or throws {@link SplunkdContextError} (`bad-uri`) without
 * connecting:
 * - `https://` always; `http://` only to a loopback host (splunkd with SSL off on this host): anywhere else the
 *   session key would cross the network in the clear. Any other scheme is refused.
 * - Only `scheme://host[:port]`: a user name or password in the URI would be a second credential nobody asked
 *   for, and a path would send the key to some other endpoint than the one this module means to ask.
 * - TLS with `ca`: verified against it. Without `ca`, to a loopback host: not verified. The URI and the key came
 *   from splunkd itself on the command's stdin, the connection never leaves the host, and Splunk's default
 *   certificate (self-signed, "SplunkServerDefaultCert") never names 127.0.0.1, so verifying would only ever fail.
 *   Without `ca`, to another host: verified against the system's CAs, since the key then crosses a network.
 */
export function splunkdTransport(splunkdUri: string, ca?: string | Buffer): SplunkdTransport {
  let url: URL;
  try {
    url = new URL(splunkdUri);
  } catch {
    // Quoted to help whoever reads it, without what could be a user name and password (`//user:pass@`).
    const quoted = previewValue(splunkdUri.replace(/\/\/[^/]*@/, '//'));
    throw new SplunkdContextError(
      'bad-uri',
      `splunkd_uri ${quoted} from getinfo is not a URL: expected https://HOST:PORT (splunkd's management port)`,
    );
  }
  const origin = `${url.protocol}//${url.host}`;
  if (url.username !== '' || url.password !== '') {
    throw new SplunkdContextError(
      'bad-uri',
      `splunkd_uri ${origin} from getinfo holds a user name or password: expected https://HOST:PORT only (the search's session key is the credential)`,
    );
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:' && !loopback) {
    throw new SplunkdContextError(
      'bad-uri',
      `refusing plain http:// to splunkd at ${origin}, which is not loopback: the search's session key would cross the network ` +
        'in the clear. Turn on SSL for splunkd (enableSplunkdSSL = true in server.conf), so that its URI is https://',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SplunkdContextError(
      'bad-uri',
      `splunkd_uri ${origin} from getinfo: expected https:// (or http:// to this host's loopback), not ${url.protocol}//`,
    );
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new SplunkdContextError(
      'bad-uri',
      `splunkd_uri ${origin} from getinfo has a path, query or fragment: expected ${url.protocol}//HOST:PORT only`,
    );
  }
  if (url.protocol === 'http:') return { origin, url, tls: false };
  if (ca !== undefined) return { origin, url, tls: { rejectUnauthorized: true, ca } };
  return { origin, url, tls: { rejectUnauthorized: !loopback } };
}

/**
 * Asks splunkd at `splunkdUri` whose `sessionKey` it is: their user name, roles and capabilities. Checks the URI
 * first (see {@link splunkdTransport}), follows no redirect, reads at most {@link SPLUNKD_RESPONSE_LIMIT_BYTES},
 * and validates the answer. Throws {@link SplunkdContextError}; rejects with `signal.reason` when `signal` aborts.
 * Leaves no timer or socket behind, whichever way it ends.
 */
export async function fetchCaller(options: SplunkdContextOptions): Promise<SplunkdCaller> {
  const { sessionKey } = options;
  try {
    return await askSplunkd(options);
  } catch (error) {
    // Defence in depth: no message built here quotes the key, but some quote splunkd's own text.
    if (error instanceof SplunkdContextError && error.message !== scrubKey(error.message, sessionKey)) {
      throw new SplunkdContextError(error.kind, scrubKey(error.message, sessionKey));
    }
    throw error;
  }
}

/**
 * Shortest session key that is scrubbed from messages (8 characters). splunkd's keys are ~100 characters; a
 * shorter one is no key splunkd issued (splunkd refuses it), and scrubbing it would blank every `k` of a message
 * for a key `k`, making the message unreadable while hiding nothing.
 */
const SCRUBBED_KEY_MIN_CHARS = 8;

/** `text` with every occurrence of `key` replaced by `[session key]`. */
function scrubKey(text: string, key: string): string {
  return key.length < SCRUBBED_KEY_MIN_CHARS ? text : text.split(key).join('[session key]');
}

/** {@link fetchCaller} before its last scrubbing of the key. */
async function askSplunkd(options: SplunkdContextOptions): Promise<SplunkdCaller> {
  const transport = splunkdTransport(options.splunkdUri, options.ca);
  const { origin } = transport;
  // splunkd's keys are printable ASCII without spaces. Anything else is not one it issued: a control character
  // could split the header, and a quote or backslash would be escaped in a JSON answer that echoed the key, out
  // of reach of the scrubbing in readAnswer.
  if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(options.sessionKey)) {
    throw new SplunkdContextError(
      'refused-key',
      `the search's session key for splunkd at ${origin} is empty or holds a space, a control character, a quote or a backslash: not sent (check getinfo's searchinfo.session_key)`,
    );
  }
  options.signal?.throwIfAborted();
  const { status, body } = await get(transport, options.sessionKey, options.timeoutMs ?? SPLUNKD_REQUEST_TIMEOUT_MS, options.signal);
  return readAnswer(origin, status, body, options.sessionKey);
}

/** An answer as it came: its status and its whole body. */
interface RawAnswer {
  status: number;
  body: Buffer;
}

/**
 * One GET of the current context. Settles once: with the whole answer, the first failure, the timeout or the
 * caller's abort; then the timer is cleared, the abort listener removed and the socket destroyed (`agent: false`:
 * a socket of its own, never pooled).
 */
function get(transport: SplunkdTransport, sessionKey: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<RawAnswer> {
  const { origin, url, tls } = transport;
  const withCa = tls !== false && tls.ca !== undefined;
  return new Promise<RawAnswer>((resolve, reject) => {
    const common: http.RequestOptions = {
      method: 'GET',
      // URL keeps the brackets of an IPv6 host; a socket wants the bare address.
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? undefined : Number(url.port),
      path: CURRENT_CONTEXT_PATH,
      headers: { Authorization: `Splunk ${sessionKey}`, Accept: 'application/json' },
      agent: false,
    };
    const request = tls ? https.request({ ...common, ...tls }) : http.request(common);

    let settled = false;
    const settle = (outcome: { answer: RawAnswer } | { error: unknown }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      request.destroy();
      if ('answer' in outcome) resolve(outcome.answer);
      else reject(outcome.error);
    };
    const onAbort = (): void => settle({ error: signal?.reason });
    const timer = setTimeout(
      () =>
        settle({
          error: new SplunkdContextError(
            'timeout',
            `splunkd at ${origin} did not answer within ${timeoutMs} ms: check that splunkd is running and not overloaded`,
          ),
        }),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });

    request.on('error', (error) => settle({ error: connectError(origin, error, withCa) }));
    request.on('response', (response) => {
      const tooLarge = (): void =>
        settle({
          error: new SplunkdContextError(
            'bad-answer',
            `splunkd at ${origin} sent an answer larger than ${SPLUNKD_RESPONSE_LIMIT_BYTES} bytes to authentication/current-context: ` +
              "refused; check that splunkd_uri is splunkd's management port",
          ),
        });
      // A declared length over the cap is refused before any of the body is read.
      if (Number(response.headers['content-length'] ?? 0) > SPLUNKD_RESPONSE_LIMIT_BYTES) return tooLarge();
      const pieces: Buffer[] = [];
      let size = 0;
      response.on('data', (piece: Buffer) => {
        size += piece.length;
        if (size > SPLUNKD_RESPONSE_LIMIT_BYTES) return tooLarge();
        pieces.push(piece);
      });
      response.on('end', () => settle({ answer: { status: response.statusCode ?? 0, body: Buffer.concat(pieces) } }));
      response.on('error', (error) => settle({ error: connectError(origin, error, withCa) }));
    });
    request.end();
  });
}

/** A failed connection or exchange, worded for the operator: the certificate, TLS to plain HTTP, or the network. */
function connectError(origin: string, error: Error, withCa: boolean): SplunkdContextError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (isCertificateError(code)) {
    const against = withCa ? 'against [splunkd] ca_file' : "against the system's CAs";
    return new SplunkdContextError(
      'certificate',
      `splunkd at ${origin}: its TLS certificate did not verify ${against} (${error.message}): ${CA_ADVICE}`,
    );
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO') {
    return new SplunkdContextError(
      'unreachable',
      `splunkd at ${origin} does not speak TLS (${error.message}): with SSL off for splunkd (enableSplunkdSSL = false in ` +
        'server.conf) its URI is http://, which is allowed to loopback only',
    );
  }
  const why =
    code === 'ECONNREFUSED'
      ? 'nothing listens there: check that splunkd is running and that this is its management port (8089 by default)'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'its host name does not resolve'
        : `the connection failed (${code === '' ? error.message : code})`;
  return new SplunkdContextError('unreachable', `splunkd at ${origin} is unreachable: ${why}`);
}

/**
 * The caller from splunkd's answer, or the error its status or body calls for. The body's text is scrubbed of the
 * key before anything of it can be quoted: a quote is cut to 60 characters, which could leave part of a key that a
 * scrubbing of the whole message would no longer find.
 */
function readAnswer(origin: string, status: number, body: Buffer, sessionKey: string): SplunkdCaller {
  const scrub = (text: string): string => scrubKey(text, sessionKey);
  if (status === 401 || status === 403) {
    throw new SplunkdContextError(
      'refused-key',
      `splunkd at ${origin} refused the search's session key (HTTP ${status}): check that the search is still running (its key ` +
        'lasts as long as its session) and that splunkd_uri is the splunkd that started it',
    );
  }
  if (status >= 300 && status < 400) {
    throw new SplunkdContextError(
      'http',
      `splunkd at ${origin} answered HTTP ${status} (a redirect, not followed) to authentication/current-context: check that ` +
        "splunkd_uri is splunkd's management port",
    );
  }
  if (status < 200 || status >= 300) {
    const said = splunkdMessage(scrub(body.toString('utf8')));
    throw new SplunkdContextError(
      'http',
      `splunkd at ${origin} answered HTTP ${status} to authentication/current-context${said === undefined ? '' : ` (${said})`}: ` +
        "check splunkd's health in splunkd.log",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(scrub(new TextDecoder('utf-8', { fatal: true }).decode(body)));
  } catch {
    throw new SplunkdContextError(
      'bad-answer',
      `splunkd at ${origin} answered authentication/current-context with something that is not JSON: check that splunkd_uri ` +
        "is splunkd's management port (8089 by default), not Splunk Web",
    );
  }
  const parsed = currentContextSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    const [first] = parsed.error.issues;
    throw new SplunkdContextError(
      'bad-answer',
      `splunkd at ${origin} answered authentication/current-context in an unexpected shape${first ? ` (${describeIssue(first)})` : ''}: ` +
        "check that splunkd_uri is splunkd's management port",
    );
  }
  const { username, roles, capabilities } = parsed.data.entry[0]!.content;
  return { username, roles, capabilities };
}

/** The first message of splunkd's error body (`{"messages": [{"type", "text"}]}`), shortened, if there is one. */
function splunkdMessage(text: string): string | undefined {
  try {
    const parsed = splunkdMessagesSchema.safeParse(JSON.parse(text));
    return parsed.success ? previewValue(parsed.data.messages[0]!.text) : undefined;
  } catch {
    return undefined;
  }
}
