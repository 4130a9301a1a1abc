import { describe, expect, it } from 'vitest';
import { natsArgumentsOf } from '../../src/cli/splunk-app-backend.js';

describe('natsArgumentsOf', () => {
  it('maps the cluster onto the NATS options of the CLI', () => {
    expect(
      natsArgumentsOf({
        nats: { servers: 'tls://a:4222,tls://b:4222', creds: '/c.creds', ca: '/ca.pem', insecure: true },
        rpcParallel: 100,
        sources: [],
      }),
    ).toEqual({ nats: 'tls://a:4222,tls://b:4222', creds: '/c.creds', natsCa: '/ca.pem', insecure: true });
    expect(natsArgumentsOf({ nats: { servers: 'tls://a:4222', insecure: false }, rpcParallel: 100, sources: [] })).toEqual({
      nats: 'tls://a:4222',
      insecure: false,
    });
  });

  it('gives undefined when no cluster is configured', () => {
    expect(natsArgumentsOf({ rpcParallel: 100, sources: [] })).toBeUndefined();
  });
});
