// Real sockets on loopback, in one process: the frames of a genuine handshake (an agent's hello, sentry-query's
// request) are recorded off the sockets, then replayed verbatim on a new connection. The server challenges every
// connection with a fresh nonce, so a replay proves nothing and is refused; and the secret itself is in no frame.
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startAgent, type AgentHandle } from '../../src/agent/agent-client.js';
import { KeyRegistry } from '../../src/connector/key-registry.js';
import { WebSocketConnector, type ConnectorLogEvent } from '../../src/connector/websocket-connector.js';
import { QueryServer, runRemoteQuery } from '../../src/remote/index.js';

const KEY = 'replay-test-key-0123456789abcdef';
const TOKEN = 'replay-test-token-0123456789';
const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every text frame sent on any socket of this process from now on, by side. */
function recordFrames(): Array<{ from: 'client' | 'server'; text: string }> {
  const frames: Array<{ from: 'client' | 'server'; text: string }> = [];
  const send = WebSocket.prototype.send;
  vi.spyOn(WebSocket.prototype, 'send').mockImplementation(function (this: WebSocket, data: unknown, ...rest: unknown[]) {
    frames.push({ from: (this as unknown as { _isServer: boolean })._isServer ? 'server' : 'client', text: String(data) });
    return (send as (...args: unknown[]) => void).call(this, data, ...rest);
  });
  return frames;
}

/** The forms a secret could travel in: as is, base64, base64url, hex. */
function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
}

/** Opens a raw client, sends `frames` (each after the server's first frame, if any comes), and says what came back. */
async function replay(url: string, frames: readonly string[]): Promise<{ received: unknown[]; code: number; reason: string }> {
  const ws = new WebSocket(url);
  ws.on('error', () => undefined);
  const received: unknown[] = [];
  ws.on('message', (data) => received.push(JSON.parse(String(data))));
  const closed = once(ws, 'close') as Promise<[number, Buffer]>;
  await once(ws, 'open');
  for (const frame of frames) ws.send(frame);
  // A server that takes the replay keeps the socket open: bounded wait, then close ourselves.
  const timer = setTimeout(() => ws.close(4999, 'replay test gave up'), 3_000);
  const [code, reason] = await closed;
  clearTimeout(timer);
  return { received, code, reason: reason.toString() };
}

function noSecretIn(frames: ReadonlyArray<{ text: string }>, secret: string): void {
  expect(frames.length).toBeGreaterThan(0);
  for (const form of secretForms(secret)) for (const { text } of frames) expect(text).not.toContain(form);
}

describe('a captured handshake cannot be replayed, and carries no secret', () => {
  it("a sentry's hello", async () => {
    const logs: ConnectorLogEvent[] = [];
    const connector = await WebSocketConnector.listen({ keys: new KeyRegistry({ 'r-1': KEY }), log: (e) => logs.push(e) });
    cleanups.push(() => connector.close());
    const url = `ws://127.0.0.1:${connector.address().port}`;
    const frames = recordFrames();
    let agent!: AgentHandle;
    await new Promise<void>((resolve) => {
      agent = startAgent({
        url,
        guid: 'r-1',
        key: KEY,
        methods: { netstat: () => ['genuine'] },
        onStatus: (s) => s.state === 'connected' && resolve(),
      });
    });
    cleanups.push(() => agent.stop());
    vi.restoreAllMocks();
    const sent = frames.filter((f) => f.from === 'client').map((f) => f.text);
    expect(sent.map((text) => JSON.parse(text) as { type: string })).toMatchObject([{ type: 'hello', guid: 'r-1' }]);
    const replayed = await replay(url, sent);
    expect(replayed.received).not.toContainEqual({ type: 'welcome' });
    expect(replayed).toMatchObject({ code: 1008, reason: 'authentication failed' });
    noSecretIn(frames, KEY);
    expect(logs).toContainEqual(expect.objectContaining({ event: 'rejected', detail: 'wrong-key', guid: 'r-1' }));
    // The genuine sentry was not displaced.
    await expect(connector.call('r-1', 'netstat', {}, { timeoutMs: 5_000 })).resolves.toEqual(['genuine']);
  });

  it("sentry-query's request", async () => {
    const started: string[] = [];
    const server = await QueryServer.listen({
      adminToken: TOKEN,
      start: (query, { onRecord }) => {
        started.push(query);
        return { done: onRecord({ secret: 'result' }).then(() => ({ reason: 'end' as const })), cancel: () => undefined };
      },
    });
    cleanups.push(() => server.close());
    const url = `ws://127.0.0.1:${server.address().port}`;
    const frames = recordFrames();
    await runRemoteQuery({ url, token: TOKEN, query: 'sentry', onRecord: () => undefined });
    vi.restoreAllMocks();
    const request = frames.filter((f) => f.from === 'client').map((f) => f.text);
    expect(request.map((text) => JSON.parse(text) as { type: string })).toMatchObject([{ type: 'query', query: 'sentry' }]);
    const replayed = await replay(url, request);
    expect(replayed.received).toContainEqual({ type: 'error', message: 'authentication failed' });
    expect(JSON.stringify(replayed.received)).not.toContain('result');
    expect(started).toEqual(['sentry']);
    noSecretIn(frames, TOKEN);
  });
});
