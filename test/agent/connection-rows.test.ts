import fc from 'fast-check';
import { platform } from 'node:os';
import { describe, expect, it } from 'vitest';
import { collectLinuxConnections } from '../../src/agent/collect-linux.js';
import { connectionRows } from '../../src/agent/connection-rows.js';
import { fakeConnections, withFakeDetail } from '../../src/simulator/index.js';
import { netstatRows } from '../../src/index.js';

// agent --once prints connectionRows; what it prints must be exactly what sentry-netstat would emit.
describe('connectionRows', () => {
  it('gives the records netstatRows gives, for generated fleets (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 0, max: 60 }), (guid, count) => {
        const connections = fakeConnections(guid, count);
        expect(JSON.stringify(connectionRows(guid, connections))).toBe(JSON.stringify(netstatRows(guid, connections)));
      }),
      { numRuns: 300 },
    );
  });

  it('with detail (agent --once --detail) gives the records netstatRows gives with detail, and none of it without (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 0, max: 60 }), (guid, count) => {
        const connections = withFakeDetail(guid, fakeConnections(guid, count));
        expect(JSON.stringify(connectionRows(guid, connections, { detail: true }))).toBe(
          JSON.stringify(netstatRows(guid, connections, { detail: true })),
        );
        expect(JSON.stringify(connectionRows(guid, connections))).toBe(JSON.stringify(netstatRows(guid, fakeConnections(guid, count))));
      }),
      { numRuns: 200 },
    );
  });

  it('with detail, a process name is escaped as sentry-netstat escapes it', () => {
    const [c] = fakeConnections('g', 1);
    const [row] = connectionRows('g', [{ ...c!, process: 'evil\x1b[2J' }], { detail: true });
    expect(row!['process']).toBe('evil\\x1b[2J');
    expect(row!['owners']).toBeNull();
  });

  it.runIf(platform() === 'linux')('gives the records netstatRows gives, for this host', () => {
    const connections = collectLinuxConnections();
    expect(connections.length).toBeGreaterThan(0);
    expect(JSON.stringify(connectionRows('me', connections))).toBe(JSON.stringify(netstatRows('me', connections)));
  });
});
