import type { MockSentry } from '../../sdk-mock/index.js';

/** A wire-form connection (what a sentry sends), with sensible defaults. */
export function connection(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pid: 812,
    protocol: 'tcp',
    local_ip: '0.0.0.0',
    local_port: 22,
    remote_ip: '0.0.0.0',
    remote_port: 0,
    state: 'LISTEN',
    ...overrides,
  };
}

/** `count` connected sentries `s-0` … answering one connection each after `delay_ms`. */
export function sentries(count: number, delay_ms = 100): MockSentry[] {
  return Array.from({ length: count }, (_, i) => ({ guid: `s-${i}`, delay_ms, connections: [connection({ pid: i })] }));
}

/** A `json "..."` driver that feeds these records, escaped as the query language wants. */
export function jsonDriver(records: readonly Record<string, unknown>[]): string {
  return `json ${JSON.stringify(JSON.stringify(records))}`;
}
