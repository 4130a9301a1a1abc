/** Loopback helpers for the connector tests: a connector on 127.0.0.1, agents, and raw ws clients. */
import { once } from 'node:events';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { startAgent, type AgentHandle, type AgentOptions } from '../../src/agent/agent-client.js';
import { KeyRegistry } from '../../src/connector/key-registry.js';
import { PROOF_PURPOSE, proofOf, secretBytes } from '../../src/rpc/challenge.js';
import { WebSocketConnector, type ConnectorLogEvent, type WebSocketConnectorOptions } from '../../src/connector/websocket-connector.js';

export const KEYS = { 'good-1': 'key-of-good-1', 'good-2': 'key-of-good-2', victim: 'key-of-victim' } as const;

/** Everything a test opened, closed by {@link Loopback.cleanup}. */
export class Loopback {
  readonly logs: ConnectorLogEvent[] = [];
  readonly agents: AgentHandle[] = [];
  readonly raws: WebSocket[] = [];
  connector!: WebSocketConnector;

  async start(options: Partial<WebSocketConnectorOptions> = {}): Promise<WebSocketConnector> {
    this.connector = await WebSocketConnector.listen({
      keys: new KeyRegistry(KEYS),
      log: (event) => this.logs.push(event),
      ...options,
    });
    return this.connector;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.connector.address().port}`;
  }

  /** Starts an agent and resolves once the connector has welcomed it. */
  async agent(guid: keyof typeof KEYS, options: Partial<AgentOptions> = {}): Promise<AgentHandle> {
    let onConnected!: () => void;
    const connected = new Promise<void>((resolve) => {
      onConnected = resolve;
    });
    const agent = startAgent({
      url: this.url,
      guid,
      key: KEYS[guid],
      hostname: `${guid}.example`,
      os: 'linux test',
      methods: { netstat: () => [] },
      backoff: () => 10,
      ...options,
      onStatus: (status) => {
        options.onStatus?.(status);
        if (status.state === 'connected') onConnected();
      },
    });
    this.agents.push(agent);
    await connected;
    return agent;
  }

  /** A raw client, open; its first frame (the connector's challenge) is kept for {@link Loopback.nonce}. */
  async raw(options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
    const ws = new WebSocket(this.url, options);
    ws.on('error', () => undefined);
    // Listening from the start: the challenge can arrive right after 'open'.
    this.#challenges.set(ws, nextMessage(ws));
    this.raws.push(ws);
    await once(ws, 'open');
    return ws;
  }

  readonly #challenges = new Map<WebSocket, Promise<unknown>>();

  /** The nonce of the challenge `ws` (from {@link Loopback.raw}) got. */
  async nonce(ws: WebSocket): Promise<string> {
    const challenge = (await this.#challenges.get(ws)) as { type: string; nonce: string };
    expect(challenge.type).toBe('challenge');
    return challenge.nonce;
  }

  /** Answers `ws`'s challenge with a hello for `guid` proving `key`. */
  async hello(ws: WebSocket, guid: string, key: string | Uint8Array): Promise<void> {
    const nonce = await this.nonce(ws);
    ws.send(JSON.stringify({ type: 'hello', guid, proof: proofOf(secretBytes(key), PROOF_PURPOSE.hello, nonce, guid) }));
  }

  /** A raw client that has said a valid hello and been welcomed. */
  async rawSentry(guid: keyof typeof KEYS, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
    const ws = await this.raw(options);
    await this.nonce(ws);
    const welcome = nextMessage(ws);
    await this.hello(ws, guid, KEYS[guid]);
    expect(await welcome).toEqual({ type: 'welcome' });
    return ws;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.agents.map((agent) => agent.stop()));
    for (const ws of this.raws) ws.terminate();
    await this.connector?.close();
  }
}

/** The close code and reason the peer sent. */
export async function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  if (ws.readyState === WebSocket.CLOSED) throw new Error('already closed');
  const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
  return { code, reason: reason.toString('utf8') };
}

/** The next frame, parsed. */
export async function nextMessage(ws: WebSocket): Promise<unknown> {
  const [data] = (await once(ws, 'message')) as [Buffer];
  return JSON.parse(data.toString('utf8'));
}

/** A promise with its resolver outside. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
