import fc from 'fast-check';
import { platform } from 'node:os';
import { describe, expect, it } from 'vitest';
import { collectLinuxConnections } from '../../src/agent/collect-linux.js';
import { connectionRows } from '../../src/agent/connection-rows.js';
import { fakeConnections } from '../../src/simulator/index.js';
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

  it.runIf(platform() === 'linux')('gives the records netstatRows gives, for this host', () => {
    const connections = collectLinuxConnections();
    expect(connections.length).toBeGreaterThan(0);
    expect(JSON.stringify(connectionRows('me', connections))).toBe(JSON.stringify(netstatRows('me', connections)));
  });
});
