/**
 * What each role may do on NATS: the `permissions` of its user in the server's `authorization` block. Least
 * privilege, so a stolen credential of one role cannot act as another:
 *
 * - a **data node** announces only itself and serves calls (any guid: sentries connect to any data node);
 * - the **control node** publishes calls and `list` requests and reads announcements and its own replies;
 * - a **direct agent** serves only its own guid's calls and announces only itself; it cannot subscribe to another
 *   guid's subjects nor publish anywhere but its own heartbeat and the replies to what it was asked
 *   (`allow_responses`: {@link NATS_RESPONSE_PERMISSION}).
 *
 * Nobody but a control node may subscribe to `_INBOX.>`, where replies travel.
 *
 * @module
 */
import { NATS_RESPONSE_PERMISSION } from '../rpc/limits.js';
import { AGENT_PREFIX, CALL_PREFIX, guidToken, NODE_PREFIX, PRESENCE_PING_SUBJECT } from './subjects.js';

/** A data node's user. */
export interface NatsNodeRole {
  /** Always `node`. */
  readonly role: 'node';
  /** The data node's name. */
  readonly name: string;
}
/** A control node's user. */
export interface NatsControlRole {
  /** Always `control`. */
  readonly role: 'control';
}
/** A direct agent's user. */
export interface NatsAgentRole {
  /** Always `agent`. */
  readonly role: 'agent';
  /** The sentry's guid. */
  readonly guid: string;
}
/** A role on the cluster's NATS. */
export type NatsRole = NatsNodeRole | NatsControlRole | NatsAgentRole;

/** Subjects a user may publish on or subscribe to. */
export interface NatsSubjectList {
  /** The subjects (wildcards allowed). */
  readonly allow: readonly string[];
}

/** Replies a user may send to the requests it received. */
export interface NatsResponsePermission {
  /** Replies per request. */
  readonly max: number;
  /** For how long after the request (nats-server duration). */
  readonly expires: string;
}

/** A user's permissions, in nats-server's configuration shape. */
export interface NatsPermissions {
  /** Subjects it may publish on. */
  readonly publish: NatsSubjectList;
  /** Subjects it may subscribe to. */
  readonly subscribe: NatsSubjectList;
  /** Replies it may send to requests it received. */
  readonly allow_responses?: NatsResponsePermission;
}

/** The permissions of `role`. */
export function natsPermissions(role: NatsRole): NatsPermissions {
  const responses = { max: NATS_RESPONSE_PERMISSION.max, expires: NATS_RESPONSE_PERMISSION.expires };
  switch (role.role) {
    case 'node':
      return {
        publish: { allow: [`${NODE_PREFIX}.${role.name}.heartbeat`, `${NODE_PREFIX}.${role.name}.changes`] },
        subscribe: { allow: [`${CALL_PREFIX}.*.*`, `${NODE_PREFIX}.${role.name}.list`, PRESENCE_PING_SUBJECT] },
        allow_responses: responses,
      };
    case 'control':
      return {
        publish: { allow: [`${CALL_PREFIX}.>`, `${NODE_PREFIX}.*.list`, PRESENCE_PING_SUBJECT] },
        subscribe: { allow: [`${NODE_PREFIX}.*.heartbeat`, `${NODE_PREFIX}.*.changes`, `${AGENT_PREFIX}.*.heartbeat`, '_INBOX.>'] },
      };
    case 'agent':
      return {
        publish: { allow: [`${AGENT_PREFIX}.${guidToken(role.guid)}.heartbeat`] },
        subscribe: { allow: [`${CALL_PREFIX}.${guidToken(role.guid)}.*`, PRESENCE_PING_SUBJECT] },
        allow_responses: responses,
      };
  }
}

/**
 * One entry of the server's `authorization { users = [ … ] }`: the user's public nkey and its permissions,
 * as JSON (which nats-server's configuration format accepts).
 *
 * @example
 * ```ts
 * natsUserEntry('UA…', { role: 'agent', guid: 'web-01' });
 * // {"nkey":"UA…","permissions":{"publish":{"allow":["sentry-agent.web-01.heartbeat"]},…}}
 * ```
 */
export function natsUserEntry(publicKey: string, role: NatsRole): string {
  return JSON.stringify({ nkey: publicKey, permissions: natsPermissions(role) });
}
