import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../src/agent/agent-client.js';
import { KeyRegistry } from '../../src/connector/key-registry.js';
import { WebSocketConnector } from '../../src/connector/websocket-connector.js';
import { selfSigned } from '../helpers/tls-cert.js';

const tls = selfSigned();

describe.skipIf(!tls)('WebSocketConnector over wss', () => {
  let connector: WebSocketConnector;
  beforeAll(async () => {
    connector = await WebSocketConnector.listen({ keys: new KeyRegistry({ 'tls-1': 'k' }), tls: tls! });
  });
  afterAll(() => connector.close());

  it('an agent trusting the certificate is served over wss', async () => {
    let connected!: () => void;
    const welcomed = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const agent = startAgent({
      url: `wss://127.0.0.1:${connector.address().port}`,
      guid: 'tls-1',
      key: 'k',
      methods: { netstat: () => ['secure'] },
      wsOptions: { ca: tls!.cert },
      onStatus: (s) => {
        if (s.state === 'connected') connected();
      },
    });
    try {
      await welcomed;
      await expect(connector.call('tls-1', 'netstat', {}, { timeoutMs: 5_000 })).resolves.toEqual(['secure']);
    } finally {
      await agent.stop();
    }
  });

  it('an agent that does not trust the certificate never gets in', async () => {
    let failed!: (reason: string) => void;
    const refused = new Promise<string>((resolve) => {
      failed = resolve;
    });
    const agent = startAgent({
      url: `wss://127.0.0.1:${connector.address().port}`,
      guid: 'tls-1',
      key: 'k',
      methods: {},
      backoff: () => 60_000,
      onStatus: (s) => {
        if (s.state === 'failed') failed(s.message);
      },
    });
    try {
      expect(await refused).toMatch(/the server's TLS certificate is not trusted/);
      expect(agent.connected).toBe(false);
    } finally {
      await agent.stop();
    }
  });
});
