// How an attempt's end is worded, and which ends stop the agent (the rest are retried). The cases real
// processes cannot easily stage; the others run against real nodes in test/cli/agent-failures.test.ts.
import { describe, expect, it } from 'vitest';
import { describeLinkFailure, needsTlsProbe, type AttemptOutcome } from '../../src/agent/link-failure.js';

const base: AttemptOutcome = {
  url: 'wss://node:8443',
  guid: 'web-01',
  code: 1006,
  reason: '',
  welcomed: false,
  notChallenged: false,
  queryPortAnswer: false,
};
const systemError = (code: string, message = code): Error => Object.assign(new Error(message), { code });

describe('describeLinkFailure', () => {
  it('retries network trouble, saying what it was', () => {
    expect(describeLinkFailure({ ...base, error: systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND node') })).toEqual({
      permanent: false,
      message: 'cannot connect to wss://node:8443: the host name does not resolve (getaddrinfo ENOTFOUND node)',
    });
    expect(describeLinkFailure({ ...base, error: systemError('EHOSTUNREACH') }).permanent).toBe(false);
    expect(describeLinkFailure({ ...base, welcomed: true, code: 1001, reason: 'connector closing' })).toEqual({
      permanent: false,
      message: 'disconnected from wss://node:8443 (1001 connector closing)',
    });
    expect(describeLinkFailure({ ...base, welcomed: true, code: 4000, reason: 'replaced by a newer link' }).permanent).toBe(false);
    expect(describeLinkFailure({ ...base, code: 1008, reason: 'handshake timeout' })).toEqual({
      permanent: false,
      message: 'cannot connect to wss://node:8443: the node closed the link (1008 handshake timeout)',
    });
  });

  it('stops on what only a change of configuration fixes', () => {
    expect(describeLinkFailure({ ...base, notChallenged: true })).toEqual({
      permanent: true,
      message: "wrong endpoint: wss://node:8443 is not a node's sentry port (it did not open with a challenge)",
    });
    const expired = describeLinkFailure({ ...base, ca: 'ca.pem', error: systemError('CERT_HAS_EXPIRED', 'certificate has expired') });
    expect(expired).toEqual({
      permanent: true,
      message: "cannot connect to wss://node:8443: the server's TLS certificate is not valid now (certificate has expired)",
    });
    expect(describeLinkFailure({ ...base, error: systemError('ERR_TLS_CERT_ALTNAME_INVALID') }).permanent).toBe(true);
  });

  it('probes for TLS only after a ws:// hang-up', () => {
    expect(needsTlsProbe('ws://node:1', systemError('ECONNRESET', 'socket hang up'))).toBe(true);
    expect(needsTlsProbe('wss://node:1', systemError('ECONNRESET', 'socket hang up'))).toBe(false);
    expect(needsTlsProbe('ws://node:1', systemError('ECONNREFUSED'))).toBe(false);
    expect(needsTlsProbe('ws://node:1', undefined)).toBe(false);
  });
});
