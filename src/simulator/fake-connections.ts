/**
 * Generated `netstat` answers for simulated sentries: valid by `netstatConnectionSchema`, a mix of tcp/tcp6/udp/udp6
 * in plausible states, and the same for the same guid every time.
 *
 * @module
 */
import { TCP_STATES, type Protocol, type WireConnection } from '../commands/netstat-vocabulary.js';
import { pick, randomInt, seededRandom, seedOf } from './seeded-random.js';

/** One generated connection, in the wire form a sentry sends. */
export type FakeConnection = WireConnection;

// TCP states other than LISTEN, for connections that have a peer.
const PEERED_TCP_STATES = TCP_STATES.filter((state) => state !== 'LISTEN');
const SERVICE_PORTS = [22, 53, 80, 123, 443, 3306, 5432, 6379, 8080, 8443] as const;

/**
 * `count` connections of the sentry `guid`. Addresses come from private and documentation ranges, written in
 * canonical form (so they read back unchanged through `IpAddress`); protocols cycle tcp, tcp6, udp, udp6 so any
 * three or more connections mix families.
 */
export function fakeConnections(guid: string, count: number): FakeConnection[] {
  const random = seededRandom(seedOf(guid));
  const host = randomInt(random, 1, 254);
  const protocols: readonly Protocol[] = ['tcp', 'tcp6', 'udp', 'udp6'];
  return Array.from({ length: count }, (_, i) => {
    const protocol = protocols[i % protocols.length] as Protocol;
    const v6 = protocol.endsWith('6');
    const local = (): string =>
      v6 ? `fd00::${hex(host)}:${hex(randomInt(random, 1, 0xffff))}` : `10.0.${randomInt(random, 0, 255)}.${host}`;
    const remote = (): string => (v6 ? `2001:db8::${hex(randomInt(random, 1, 0xffff))}` : `198.51.100.${randomInt(random, 1, 254)}`);
    const unbound = v6 ? '::' : '0.0.0.0';
    const pid = random() < 0.1 ? null : randomInt(random, 1, 65_535);
    const roll = random();
    if (protocol.startsWith('tcp')) {
      if (roll < 0.3) {
        return {
          pid,
          protocol,
          local_ip: unbound,
          local_port: pick(random, SERVICE_PORTS),
          remote_ip: unbound,
          remote_port: 0,
          state: 'LISTEN',
        };
      }
      return {
        pid,
        protocol,
        local_ip: local(),
        local_port: randomInt(random, 32_768, 60_999),
        remote_ip: remote(),
        remote_port: pick(random, SERVICE_PORTS),
        state: pick(random, PEERED_TCP_STATES),
      };
    }
    if (roll < 0.5) {
      return {
        pid,
        protocol,
        local_ip: unbound,
        local_port: pick(random, SERVICE_PORTS),
        remote_ip: unbound,
        remote_port: 0,
        state: 'NONE',
      };
    }
    return {
      pid,
      protocol,
      local_ip: local(),
      local_port: randomInt(random, 32_768, 60_999),
      remote_ip: remote(),
      remote_port: pick(random, SERVICE_PORTS),
      state: 'ESTABLISHED',
    };
  });
}

/**
 * `connections` with the detail fields a `netstat` call with `{ detail: true }` gets, made up from each pid and
 * the same for the same guid: the process name `proc-PID` (null without a pid), owners `[pid]` (and a second,
 * forked owner for one in three), uid 0 or 1000, inode and netns, and a 64-hex-digit container id for the
 * connections of the sentry's one container namespace.
 */
export function withFakeDetail(guid: string, connections: readonly FakeConnection[]): FakeConnection[] {
  const random = seededRandom(seedOf(`${guid}/detail`));
  const hostNetns = 4026531840;
  const containerNetns = hostNetns + randomInt(random, 1, 4096);
  const container = Array.from({ length: 8 }, () => randomInt(random, 0, 0xffffffff).toString(16).padStart(8, '0')).join('');
  return connections.map((c, i) => {
    const inContainer = i % 5 === 4;
    return {
      ...c,
      process: c.pid === null ? null : `proc-${c.pid}`,
      owners: c.pid === null ? [] : i % 3 === 0 ? [c.pid, c.pid + 1] : [c.pid],
      uid: random() < 0.5 ? 0 : 1000,
      inode: randomInt(random, 10_000, 9_999_999),
      netns: inContainer ? containerNetns : hostNetns,
      container: inContainer && c.pid !== null ? container : null,
    };
  });
}

/** `netstat`'s fake answer to a call with `params`: {@link fakeConnections}, with {@link withFakeDetail} when asked. */
export function fakeNetstatAnswer(guid: string, count: number, params: Readonly<Record<string, unknown>>): FakeConnection[] {
  const connections = fakeConnections(guid, count);
  return params['detail'] === true ? withFakeDetail(guid, connections) : connections;
}

function hex(value: number): string {
  return value.toString(16);
}
