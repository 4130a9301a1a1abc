/**
 * What an agent checks before it opens any socket: its node's URL and its guid. A mistake here is a typo
 * retrying cannot fix, so it is refused at once, in one line that says what to write instead.
 *
 * @module
 */
import { helloFrameSchema } from '../connector/protocol.js';
import { requireSecureUrl } from '../rpc/transport-security.js';

/** An agent's URL or guid cannot work; the message says why and what to write instead. */
export class AgentConfigError extends Error {
  /** Always `AgentConfigError`. */
  override readonly name = 'AgentConfigError';
}

/** `HOST:PORT`, `[V6]:PORT` or a bare host: what an operator types when the scheme is forgotten. */
const NO_SCHEME = /^(\[[0-9a-f:.]+\]|[\w.-]+)(:\d+)?(\/.*)?$/i;

/**
 * Checks the URL of an agent's node and returns it parsed: `wss://HOST[:PORT]`, or `ws://` to loopback (or
 * anywhere with `insecure`, see `requireSecureUrl`). Refuses what `ws` would throw on, or connect to in vain:
 * no scheme (with the URL it probably meant), `http(s)://`, credentials, a fragment, port 0.
 *
 * @throws AgentConfigError, or InsecureTransportError for plain `ws://` off loopback without `insecure`
 */
export function checkAgentUrl(text: string, insecure = false): URL {
  if (NO_SCHEME.test(text) && !text.includes('://')) {
    throw new AgentConfigError(`${text} has no scheme: write wss://${text} (or ws://${text} to a node without TLS on loopback)`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AgentConfigError(`${text} is not a URL (expected wss://HOST:PORT, or ws://HOST:PORT to loopback)`);
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const scheme = url.protocol === 'https:' ? 'wss' : 'ws';
    throw new AgentConfigError(
      `${text}: a node's sentry port speaks WebSocket: write ${scheme}://${url.host}${url.pathname.replace(/^\/$/, '')}`,
    );
  }
  if (url.protocol === 'ws:' || url.protocol === 'wss:') {
    if (url.hostname === '') throw new AgentConfigError(`${text} has no host (expected wss://HOST:PORT)`);
    if (url.username !== '' || url.password !== '') {
      throw new AgentConfigError(`${url.host}: a URL with a user or password is refused; the agent proves its key with --key-file`);
    }
    if (url.hash !== '') throw new AgentConfigError(`${text}: a WebSocket URL cannot have a #fragment`);
    if (url.port === '0')
      throw new AgentConfigError(`${text}: port 0 cannot be connected to; give the port the node prints (listening on …)`);
  }
  requireSecureUrl(text, insecure);
  return url;
}

/**
 * Checks a sentry guid as the node's hello schema will: 1–256 characters of well-formed Unicode. An empty
 * `--guid ""` would otherwise be refused by every node, attempt after attempt.
 *
 * @throws AgentConfigError
 */
export function checkAgentGuid(guid: string): string {
  const parsed = helloFrameSchema.shape.guid.safeParse(guid);
  if (parsed.success) return parsed.data;
  const why = guid.length === 0 ? 'is empty' : guid.length > 256 ? `has ${guid.length} characters` : 'is not well-formed Unicode';
  throw new AgentConfigError(
    `the guid ${guid.length === 0 ? '""' : JSON.stringify(guid.slice(0, 64))} ${why}: a guid is 1 to 256 characters`,
  );
}
