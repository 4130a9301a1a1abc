import { describe, expect, it } from 'vitest';
import { MockSentryConnector, MOCK_METHODS, scenarioHostOptions, type MockSentry } from '../../sdk-mock/index.js';

const call = (connector: MockSentryConnector, guid: string, method: string, params = {}) =>
  connector.call(guid, method, params, { timeoutMs: 1_000 });

describe('in-memory sentries answer from a table of methods', () => {
  it("netstat answers the sentry's connections by default, frozen like an answer off the wire", async () => {
    const connections = [
      { pid: 1, protocol: 'tcp', local_ip: '127.0.0.1', local_port: 1, remote_ip: '0.0.0.0', remote_port: 0, state: 'LISTEN' },
    ];
    const connector = new MockSentryConnector([{ guid: 'a', connections }]);
    const answer = await call(connector, 'a', 'netstat');
    expect(answer).toEqual(connections);
    expect(Object.isFrozen(answer)).toBe(true);
    expect(await call(new MockSentryConnector([{ guid: 'b' }]), 'b', 'netstat')).toEqual([]);
  });

  it("a sentry's own answers entry serves any other method, without code", async () => {
    const connector = new MockSentryConnector([{ guid: 'a', answers: { ps: [{ pid: 1, name: 'init' }] } }]);
    expect(await call(connector, 'a', 'ps')).toEqual([{ pid: 1, name: 'init' }]);
  });

  it('a method in neither table fails like a sentry exception, naming the method', async () => {
    const connector = new MockSentryConnector([{ guid: 'a' }]);
    await expect(call(connector, 'a', 'reboot')).rejects.toMatchObject({ kind: 'remote', message: 'unsupported method: reboot' });
    // Names inherited from Object.prototype are not methods.
    await expect(call(connector, 'a', 'toString')).rejects.toMatchObject({ kind: 'remote', message: 'unsupported method: toString' });
  });

  it("a connector-wide table answers from each sentry's fields and the call's params", async () => {
    const methods = {
      ...MOCK_METHODS,
      echo: (sentry: MockSentry, params: Readonly<Record<string, unknown>>) => ({ guid: sentry.guid, params }),
    };
    const connector = new MockSentryConnector([{ guid: 'a' }], methods);
    expect(await call(connector, 'a', 'echo', { n: 1 })).toEqual({ guid: 'a', params: { n: 1 } });
  });

  it('faults apply to every method', async () => {
    const connector = new MockSentryConnector([{ guid: 'a', answers: { ps: [] }, fail: { error: 'boom' } }]);
    await expect(call(connector, 'a', 'ps')).rejects.toMatchObject({ kind: 'remote', message: 'boom' });
  });

  it('scenarios carry answers through, and refuse a non-object answers table', () => {
    const options = scenarioHostOptions({ sentries: [{ guid: 'a', answers: { ps: [1, 2] } }] });
    expect(options.sentries).toEqual([{ guid: 'a', answers: { ps: [1, 2] } }]);
    expect(() => scenarioHostOptions({ sentries: [{ guid: 'a', answers: [1] }] }, 'f.json')).toThrow(/f\.json: sentries\[0\]\.answers/);
  });
});
