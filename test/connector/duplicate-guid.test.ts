// Two sentries with one guid (a cloned VM): the connected one, alive, is kept; the newcomer is refused with
// 4001 and told why, and the connector logs it once per window instead of the two replacing each other for ever.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAgent, type AgentStatus } from '../../src/agent/agent-client.js';
import { duplicateGuidReason } from '../../src/connector/duplicate-guid.js';
import { CLOSE_CODES } from '../../src/rpc/close-codes.js';
import { closed, deferred, Loopback } from './loopback.js';

let loop: Loopback;
beforeEach(() => {
  loop = new Loopback();
});
afterEach(() => loop.cleanup());

describe('a second sentry with a connected guid', () => {
  it('is refused (4001, naming the guid and the address), the connected one kept and its calls answered', async () => {
    await loop.start();
    await loop.agent('good-1', { methods: { netstat: () => ['the first'] } });
    for (let i = 0; i < 3; i++) {
      const ws = await loop.raw();
      const refused = closed(ws);
      await loop.hello(ws, 'good-1', 'key-of-good-1');
      expect(await refused).toEqual({
        code: CLOSE_CODES.duplicateGuid,
        reason: 'duplicate guid: another sentry is connected as good-1 from 127.0.0.1',
      });
    }
    await expect(loop.connector.call('good-1', 'netstat', {}, { timeoutMs: 5_000 })).resolves.toEqual(['the first']);
    expect(loop.logs.map((e) => e.event)).not.toContain('replaced');
    expect(loop.logs.map((e) => e.event)).not.toContain('disconnected');
    // Three refusals, one line (the window is 60 s).
    const lines = loop.logs.filter((e) => e.event === 'duplicate-guid');
    expect(lines).toEqual([
      expect.objectContaining({
        guid: 'good-1',
        remote_ip: '127.0.0.1',
        detail: expect.stringMatching(
          /^another sentry authenticated as good-1 while the one from 127\.0\.0\.1 is connected and answers: refused/,
        ),
      }),
    ]);
  });

  it('an agent refused as a duplicate stops, with the reason (it does not retry)', async () => {
    await loop.start();
    await loop.agent('good-1');
    const failed = deferred<AgentStatus>();
    const statuses: string[] = [];
    loop.agents.push(
      startAgent({
        url: loop.url,
        guid: 'good-1',
        key: 'key-of-good-1',
        methods: {},
        backoff: () => 10,
        onStatus: (s) => {
          statuses.push(s.state);
          if (s.state === 'failed') failed.resolve(s);
        },
      }),
    );
    expect(await failed.promise).toMatchObject({
      code: 4001,
      message:
        'duplicate guid: another sentry is connected as good-1 from 127.0.0.1: give each host its own --guid (the default is the host name, which cloned machines share)',
    });
    expect(statuses).toEqual(['connecting', 'failed']);
  });
});

describe('duplicateGuidReason', () => {
  it('fits a close reason (123 bytes), cutting a long guid so the address stays', () => {
    const reason = duplicateGuidReason('é'.repeat(200), '2001:db8::1');
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(reason).toMatch(/^duplicate guid: another sentry is connected as é+… from 2001:db8::1$/);
  });
});
