/**
 * How severe each event of the node's and control node's log is: what `--log-level` filters on. An event not
 * listed is `info`.
 *
 * @module
 */
import type { LogEvent, Logger, LogLevel } from './logger.js';

const EVENT_LEVELS: Readonly<Record<string, LogLevel>> = Object.freeze({
  // A sentry's link (src/connector/websocket-connector.ts).
  'sentry-connected': 'info',
  'sentry-disconnected': 'info',
  replaced: 'info',
  // Two live sentries with one guid (cloned machines): the newcomer was refused.
  'duplicate-guid': 'warn',
  // A link already replaced by a newer one going down: the sentry itself is still connected.
  disconnected: 'debug',
  // Before authentication, on every port (src/rpc/pre-auth-log.ts): someone failing, or a summary of many.
  rejected: 'warn',
  'malformed-frame': 'warn',
  'handshake-timeout': 'warn',
  'socket-error': 'warn',
  oversize: 'warn',
  refused: 'warn',
  summary: 'warn',
  // The keys file (SIGHUP).
  'keys-reloaded': 'info',
  'keys-reload-failed': 'error',
  // The audit trail of the query port.
  query: 'info',
  // NATS (src/nats/connect-nats.ts) and the control node's directory (src/nats/presence-directory.ts).
  'nats-disconnected': 'warn',
  'nats-reconnected': 'info',
  'nats-error': 'error',
  'node-joined': 'info',
  'node-suspect': 'warn',
  'node-back': 'info',
  'node-left': 'info',
  'node-restarted': 'info',
  'bad-announcement': 'warn',
  'no-nodes': 'warn',
});

/** The level of `event`. */
export function levelOf(event: string): LogLevel {
  return Object.hasOwn(EVENT_LEVELS, event) ? EVENT_LEVELS[event]! : 'info';
}

/** A callback for the parts that log plain events (`{event, detail, …}`): each at its level on `logger`. */
export function eventsTo(logger: Logger): <Event extends LogEvent>(event: Event) => void {
  return (event) => logger.log(levelOf(event.event), event);
}
