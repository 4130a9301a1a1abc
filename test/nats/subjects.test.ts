import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentHeartbeatSubject, callSubject, guidOfToken, guidToken, nodeSubjects, sentryCallsSubject } from '../../src/nats/subjects.js';
import { subjectMatches } from '../helpers/fake-nats.js';

/** Guids of any text: printable and not, across Unicode, with NATS's special characters often. */
const guid = fc.string({
  minLength: 1,
  unit: fc.oneof(
    fc.constantFrom('.', '*', '>', ' ', '\t', '%', '-', '_', '~', "'", '(', ')', '!'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
});

describe('guid tokens', () => {
  it('round-trip every guid, as one subject token of plain characters', () => {
    fc.assert(
      fc.property(guid, (g) => {
        const token = guidToken(g);
        expect(token).toMatch(/^[A-Za-z0-9_%-]+$/);
        expect(guidOfToken(token)).toBe(g);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trip graphemes of any script', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, unit: 'grapheme' }), (g) => guidOfToken(guidToken(g)) === g));
  });

  it('leave a plain guid as it is, and encode what NATS gives a meaning', () => {
    expect(guidToken('web-01')).toBe('web-01');
    expect(guidToken('Host_7')).toBe('Host_7');
    expect(guidToken('db.eu*1')).toBe('db%2Eeu%2A1');
    expect(guidToken('a b>c')).toBe('a%20b%3Ec');
  });

  it('a token guidToken would not make has no guid', () => {
    expect(guidOfToken('db%2eeu')).toBeUndefined(); // lower-case escape
    expect(guidOfToken('%E0%A4%A')).toBeUndefined(); // broken escape
    expect(guidOfToken('a.b')).toBeUndefined();
    expect(guidOfToken('%77eb')).toBeUndefined(); // `w` escaped
  });

  it('two different guids never share a subscription', () => {
    fc.assert(
      fc.property(guid, guid, (a, b) => {
        fc.pre(a !== b);
        return !subjectMatches(sentryCallsSubject(a), callSubject(b, 'netstat'));
      }),
    );
  });
});

describe('subjects', () => {
  it('a call subject is sentry.<token>.<method>, and its holder’s subscription matches it', () => {
    expect(callSubject('db.eu', 'netstat')).toBe('sentry.db%2Eeu.netstat');
    expect(sentryCallsSubject('db.eu')).toBe('sentry.db%2Eeu.*');
    expect(subjectMatches(sentryCallsSubject('db.eu'), callSubject('db.eu', 'netstat'))).toBe(true);
    expect(agentHeartbeatSubject('db.eu')).toBe('sentry-agent.db%2Eeu.heartbeat');
    expect(nodeSubjects('n1')).toEqual({
      heartbeat: 'sentry-node.n1.heartbeat',
      changes: 'sentry-node.n1.changes',
      list: 'sentry-node.n1.list',
    });
  });

  it.each(['net.stat', 'net*', '>', '', 'net stat', 'x'.repeat(65)])('rejects a method that is not a plain name: %j', (method) => {
    expect(() => callSubject('web-01', method)).toThrow(`not a sentry method name: ${method}`);
  });
});

describe('guids that are not well-formed Unicode', () => {
  it('guidToken refuses a lone surrogate with a clear error (no URIError)', async () => {
    const { guidToken: token } = await import('../../src/nats/subjects.js');
    expect(() => token('web-\ud800')).toThrow('a guid must be well-formed Unicode');
  });

  it('the hello and the keys file refuse them, so none reaches a data node', async () => {
    const { helloFrameSchema } = await import('../../src/connector/protocol.js');
    const { keysFileSchema } = await import('../../src/connector/key-file.js');
    const hello = { type: 'hello', guid: 'web-\udc00', proof: 'A'.repeat(43) };
    expect(helloFrameSchema.safeParse(hello).success).toBe(false);
    expect(keysFileSchema.safeParse({ 'web-\ud800': 'k'.repeat(20) }).success).toBe(false);
    expect(keysFileSchema.safeParse({ 'web-😀': 'k'.repeat(20) }).success).toBe(true);
  });
});
