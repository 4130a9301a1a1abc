import { describe, expect, it } from 'vitest';
import { netstatRows } from '../../src/commands/netstat-answer.js';
import { fakeConnections } from '../../src/simulator/fake-connections.js';
import { faultOf } from '../../src/simulator/fault-plan.js';
import { simulatedCredentials } from '../../src/simulator/fleet-keys.js';

describe('fakeConnections', () => {
  it('is valid, deterministic per guid, and mixes protocols and states', () => {
    const protocols = new Set<string>();
    const states = new Set<string>();
    for (const { guid } of simulatedCredentials(200)) {
      const connections = fakeConnections(guid, 8);
      expect(fakeConnections(guid, 8)).toEqual(connections);
      const rows = netstatRows(guid, connections); // throws on anything the schema refuses
      expect(rows).toHaveLength(8);
      // Canonical addresses: the text reads back unchanged.
      rows.forEach((row, i) => expect(String(row['local_ip'])).toBe(connections[i]!.local_ip));
      rows.forEach((row, i) => expect(String(row['remote_ip'])).toBe(connections[i]!.remote_ip));
      for (const c of connections) {
        protocols.add(c.protocol);
        states.add(c.state);
      }
    }
    expect([...protocols].sort()).toEqual(['tcp', 'tcp6', 'udp', 'udp6']);
    expect(states.size).toBeGreaterThanOrEqual(8);
    expect(fakeConnections('sim-0001', 3)).not.toEqual(fakeConnections('sim-0002', 3));
  });
});

describe('faultOf', () => {
  it('gives each fault about its share of any prefix, scattered and by index alone', () => {
    const fractions = { timeoutFraction: 0.02, disconnectFraction: 0.02, garbageFraction: 0.01 };
    for (const n of [100, 1_000, 10_000]) {
      const faults = Array.from({ length: n }, (_, i) => faultOf(i, fractions));
      const count = (fault: string): number => faults.filter((f) => f === fault).length;
      expect(Math.abs(count('timeout') - n * 0.02)).toBeLessThanOrEqual(2);
      expect(Math.abs(count('disconnect') - n * 0.02)).toBeLessThanOrEqual(2);
      expect(Math.abs(count('garbage') - n * 0.01)).toBeLessThanOrEqual(2);
    }
    expect(faultOf(0, { timeoutFraction: 0.01 })).toBe('healthy');
    expect(Array.from({ length: 50 }, (_, i) => faultOf(i, {}))).toEqual(Array(50).fill('healthy'));
    expect(Array.from({ length: 50 }, (_, i) => faultOf(i, { garbageFraction: 1 }))).toEqual(Array(50).fill('garbage'));
  });
});
