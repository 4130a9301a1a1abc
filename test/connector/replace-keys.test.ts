// Keys replaced while the connector runs (a node's keys file reloaded on SIGHUP).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closed, KEYS, Loopback } from './loopback.js';

let loop: Loopback;
beforeEach(() => {
  loop = new Loopback();
});
afterEach(() => loop.cleanup());

describe('WebSocketConnector.replaceKeys', () => {
  it('closes the link of a removed guid (key revoked) and of a rotated one (key rotated); the others stay up', async () => {
    await loop.start();
    const removed = await loop.rawSentry('good-1');
    const rotated = await loop.rawSentry('good-2');
    const kept = await loop.rawSentry('victim');
    const removedClosed = closed(removed);
    const rotatedClosed = closed(rotated);

    const changes = loop.connector.replaceKeys({ 'good-2': 'a-new-key-of-good-2', victim: KEYS.victim, 'web-09': 'key-of-web-09-new' });

    expect(changes).toEqual({ added: ['web-09'], removed: ['good-1'], rotated: ['good-2'] });
    expect(await removedClosed).toEqual({ code: 1008, reason: 'key revoked' });
    expect(await rotatedClosed).toEqual({ code: 1008, reason: 'key rotated' });
    expect(kept.readyState).toBe(kept.OPEN);
    await expect
      .poll(() => loop.connector.list().map((s) => [s.guid, s.connected]))
      .toEqual([
        ['good-2', false],
        ['victim', true],
        ['web-09', false],
      ]);
  });

  it('checks hellos against the new keys at once: an old key is refused, a new guid is welcomed', async () => {
    await loop.start();
    loop.connector.replaceKeys({ 'good-1': 'the-rotated-key-of-good-1', 'web-09': 'key-of-web-09-new' });
    const old = await loop.raw();
    await loop.hello(old, 'good-1', KEYS['good-1']);
    expect(await closed(old)).toEqual({ code: 1008, reason: 'authentication failed' });
    const added = await loop.raw();
    await loop.nonce(added);
    const welcome = new Promise((resolve) => added.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()))));
    await loop.hello(added, 'web-09', 'key-of-web-09-new');
    expect(await welcome).toEqual({ type: 'welcome' });
    expect(loop.connector.list().find((s) => s.guid === 'web-09')?.connected).toBe(true);
  });
});
