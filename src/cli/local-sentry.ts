import { randomBytes } from 'node:crypto';
import { hostname, platform } from 'node:os';
import { startAgent, type AgentHandle } from '../agent/agent-client.js';
import { KeyRegistry } from '../connector/key-registry.js';
import { WebSocketConnector } from '../connector/websocket-connector.js';
import { AGENT_METHODS } from '../plugin.js';
import { withoutOwnLink } from './without-own-link.js';

/** How long the local agent may take to connect and authenticate before the CLI gives up. */
const CONNECT_DEADLINE_MS = 5_000;

/** A connector on a loopback port with this host's own agent linked to it. */
export interface LocalSentry {
  readonly connector: WebSocketConnector;
  readonly guid: string;
  /** Stops the agent and the connector; nothing is left running. */
  close(): Promise<void>;
}

/**
 * The main job's embedded default: a connector on 127.0.0.1 (a free port) and a local agent that connects to
 * it over a real WebSocket with a one-time random key, so `sentry-query "sentry | fields guid | sentry-netstat"`
 * shows this host's own sockets with nothing else set up. The agent's guid is the host name. Its `netstat`
 * leaves out the sockets of that link (this process's, on the connector's port): they are not the host's.
 */
export async function startLocalSentry(): Promise<LocalSentry> {
  const guid = hostname();
  const key = randomBytes(32).toString('hex');
  const connector = await WebSocketConnector.listen({ host: '127.0.0.1', port: 0, keys: new KeyRegistry({ [guid]: key }) });
  let agent: AgentHandle | undefined;
  const close = async (): Promise<void> => {
    await agent?.stop();
    await connector.close();
  };
  const port = connector.address().port;
  try {
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('the local agent did not connect in time')), CONNECT_DEADLINE_MS);
      agent = startAgent({
        url: `ws://127.0.0.1:${port}`,
        guid,
        key,
        hostname: guid,
        os: platform(),
        methods: withoutOwnLink(AGENT_METHODS, port),
        onStatus: (status) => {
          if (status.state !== 'connected') return;
          clearTimeout(deadline);
          resolve();
        },
      });
    });
  } catch (error) {
    await close();
    throw error;
  }
  return { connector, guid, close };
}
