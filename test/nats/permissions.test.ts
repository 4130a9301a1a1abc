import { describe, expect, it } from 'vitest';
import { natsPermissions, natsUserEntry } from '../../src/nats/permissions.js';
import { NATS_RESPONSE_PERMISSION } from '../../src/rpc/limits.js';

const RESPONSES = { max: NATS_RESPONSE_PERMISSION.max, expires: NATS_RESPONSE_PERMISSION.expires };

describe('NATS permissions per role', () => {
  it('a data node announces only itself and serves any sentry', () => {
    expect(natsPermissions({ role: 'node', name: 'n1' })).toEqual({
      publish: { allow: ['sentry-node.n1.heartbeat', 'sentry-node.n1.changes'] },
      subscribe: { allow: ['sentry.*.*', 'sentry-node.n1.list', 'sentry-presence.ping'] },
      allow_responses: RESPONSES,
    });
  });

  it('the control node calls, asks for lists and reads announcements and its inbox; it answers nothing', () => {
    expect(natsPermissions({ role: 'control' })).toEqual({
      publish: { allow: ['sentry.>', 'sentry-node.*.list', 'sentry-presence.ping'] },
      subscribe: { allow: ['sentry-node.*.heartbeat', 'sentry-node.*.changes', 'sentry-agent.*.heartbeat', '_INBOX.>'] },
    });
  });

  it("a direct agent's lists name only its own token", () => {
    expect(natsPermissions({ role: 'agent', guid: 'db.eu' })).toEqual({
      publish: { allow: ['sentry-agent.db%2Eeu.heartbeat'] },
      subscribe: { allow: ['sentry.db%2Eeu.*', 'sentry-presence.ping'] },
      allow_responses: RESPONSES,
    });
    // A guid full of wildcards stays one literal token: no `*` or `>` reaches the server.
    const { publish, subscribe } = natsPermissions({ role: 'agent', guid: '*.>' });
    expect([...publish.allow, ...subscribe.allow]).toEqual([
      'sentry-agent.%2A%2E%3E.heartbeat',
      'sentry.%2A%2E%3E.*',
      'sentry-presence.ping',
    ]);
  });

  it('only the control node may read replies', () => {
    for (const role of [
      { role: 'node', name: 'n1' },
      { role: 'agent', guid: 'web-01' },
    ] as const) {
      expect(natsPermissions(role).subscribe.allow.some((s) => s.startsWith('_INBOX'))).toBe(false);
    }
  });
});

describe('natsUserEntry', () => {
  it('is JSON with the nkey and the permissions', () => {
    const entry = natsUserEntry('UABC', { role: 'agent', guid: 'web-01' });
    expect(JSON.parse(entry)).toEqual({ nkey: 'UABC', permissions: natsPermissions({ role: 'agent', guid: 'web-01' }) });
    expect(entry).toBe(
      '{"nkey":"UABC","permissions":{"publish":{"allow":["sentry-agent.web-01.heartbeat"]},"subscribe":{"allow":["sentry.web-01.*","sentry-presence.ping"]},"allow_responses":{"max":2048,"expires":"10m"}}}',
    );
  });
});
