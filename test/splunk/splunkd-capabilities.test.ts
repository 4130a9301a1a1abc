// fetchCaller against a stub of splunkd's authentication/current-context on 127.0.0.1, over real HTTPS (and plain
// HTTP to loopback): the caller read, every refusal with its kind, no session key in any message, no socket or timer
// left behind, and the URI rules checked before any connection.
import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SPLUNKD_RESPONSE_LIMIT_BYTES } from '../../src/rpc/limits.js';
import {
  SENTRY_RPC_CAPABILITY,
  SplunkdContextError,
  type SplunkdContextErrorKind,
  fetchCaller,
  hasCapability,
  splunkdTransport,
} from '../../src/splunk/splunkd-capabilities.js';
import { selfSigned } from '../helpers/tls-cert.js';

const tls = selfSigned();
/** Another self-signed certificate: a CA that did not sign the stub's certificate. */
const otherCa = selfSigned();

const ADMIN_KEY = 'adminKey0123456789^abcdefSECRET_ADMIN';
const USER_KEY = 'userKey0123456789^abcdefSECRET_USER';
const WRONG_KEY = 'wrongKey0123456789^abcdefSECRET_WRONG';
const ALL_KEYS = [ADMIN_KEY, USER_KEY, WRONG_KEY];

/** What splunkd answers for each key, in the JSON of `output_mode=json` (an entry with links, ACL, content). */
const CONTEXTS: Record<string, { username: string; roles: string[]; capabilities: string[] }> = {
  [ADMIN_KEY]: {
    username: 'admin',
    roles: ['admin', 'power', 'user'],
    capabilities: ['admin_all_objects', 'list_settings', SENTRY_RPC_CAPABILITY, 'search'],
  },
  [USER_KEY]: { username: 'alice', roles: ['user'], capabilities: ['get_metadata', 'rest_properties_get', 'search'] },
};

function contextAnswer(content: object): string {
  return JSON.stringify({
    links: {},
    origin: 'https://127.0.0.1:8089/services/authentication/current-context',
    updated: '2025-01-01T00:00:00+00:00',
    generator: { build: 'x', version: '9.3.0' },
    entry: [
      {
        name: 'context',
        id: 'https://127.0.0.1:8089/services/authentication/current-context/context',
        links: { alternate: '/services/authentication/current-context/context' },
        author: 'system',
        acl: { app: '', owner: 'admin', sharing: 'system' },
        content: { defaultApp: 'search', email: null, realname: '', tz: null, ...content },
      },
    ],
    paging: { total: 1, perPage: 30, offset: 0 },
    messages: [],
  });
}

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/**
 * splunkd's endpoint as the stub implements it: the exact path with `output_mode=json` (else 400), the key in
 * `Authorization: Splunk KEY` (else 401, with splunkd's body).
 */
const splunkd: Handler = (request, response) => {
  const url = new URL(request.url ?? '/', 'https://stub');
  if (url.pathname !== '/services/authentication/current-context' || url.searchParams.get('output_mode') !== 'json') {
    response.writeHead(400, { 'content-type': 'application/json' }).end('{"messages":[{"type":"ERROR","text":"wrong request"}]}');
    return;
  }
  const match = /^Splunk (.+)$/.exec(request.headers.authorization ?? '');
  const context = match ? CONTEXTS[match[1]!] : undefined;
  if (!context) {
    response
      .writeHead(401, { 'content-type': 'application/json' })
      .end('{"messages":[{"type":"WARN","text":"call not properly authenticated"}]}');
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' }).end(contextAnswer(context));
};

interface Stub {
  uri: string;
  /** Requests the stub has received. */
  requests: number;
  server: http.Server;
}

const servers: http.Server[] = [];

async function startStub(handler: Handler = splunkd, secure = true): Promise<Stub> {
  const stub = { uri: '', requests: 0 } as Stub;
  const listener: Handler = (request, response) => {
    stub.requests += 1;
    // A client that hangs up mid-answer (oversize, timeout) is expected.
    response.on('error', () => {});
    handler(request, response);
  };
  stub.server = secure ? https.createServer({ cert: tls!.cert, key: tls!.key }, listener) : http.createServer(listener);
  servers.push(stub.server);
  await new Promise<void>((resolve) => stub.server.listen(0, '127.0.0.1', resolve));
  stub.uri = `${secure ? 'https' : 'http'}://127.0.0.1:${(stub.server.address() as AddressInfo).port}`;
  return stub;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** The refusal `promise` ends with: a SplunkdContextError of `kind` whose text holds no session key. */
async function refusal(promise: Promise<unknown>, kind: SplunkdContextErrorKind): Promise<SplunkdContextError> {
  const error = await promise.then(
    () => new Error('expected a refusal'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SplunkdContextError);
  const refused = error as SplunkdContextError;
  expect(refused.kind, refused.message).toBe(kind);
  for (const key of ALL_KEYS) {
    expect(refused.message).not.toContain(key);
    expect(refused.stack).not.toContain(key);
    expect(String(refused)).not.toContain(key);
    expect(JSON.stringify(Object.entries(refused))).not.toContain(key);
  }
  return refused;
}

/** How many client sockets `run` opens (Node's `net.client.socket` channel: every TCP and TLS client socket). */
async function socketsOpenedBy(run: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const onSocket = (): void => {
    count += 1;
  };
  diagnosticsChannel.subscribe('net.client.socket', onSocket);
  try {
    await run();
  } finally {
    diagnosticsChannel.unsubscribe('net.client.socket', onSocket);
  }
  return count;
}

/** Handles that would keep the process alive: sockets, servers and timers. */
function liveHandles(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => /^(TCP|TLS|Timeout)/.test(r))
    .sort();
}

/**
 * The live handles once the earlier tests' servers and sockets are gone (libuv releases them a few turns after their
 * 'close') and no timer runs (vitest's worker has one for a moment after it starts): only the one stub's server
 * listens, so a socket or a timer left behind later shows.
 */
async function baselineHandles(): Promise<string[]> {
  const settled = (live: string[]): boolean =>
    live.filter((r) => r === 'TCPServerWrap').length === 1 && !live.some((r) => /^(TCPSocketWrap|TLSWrap|Timeout)$/.test(r));
  const until = Date.now() + 10_000;
  while (!settled(liveHandles()) && Date.now() < until) await new Promise((resolve) => setImmediate(resolve));
  return liveHandles();
}

/** The live handles once they match `expected`, or after 10 s (libuv releases a closed handle a few turns later). */
async function settledHandles(expected: readonly string[]): Promise<string[]> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const live = liveHandles();
    if (live.join() === expected.join()) return live;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return liveHandles();
}

describe.skipIf(!tls)('fetchCaller: who runs the search, from splunkd', () => {
  it('reads an admin caller with run_sentry_rpc (the stub checks the path, output_mode=json and the key)', async () => {
    const stub = await startStub();
    const caller = await fetchCaller({ splunkdUri: stub.uri, sessionKey: ADMIN_KEY });
    expect(caller).toEqual(CONTEXTS[ADMIN_KEY]);
    expect(hasCapability(caller, SENTRY_RPC_CAPABILITY)).toBe(true);
    expect(SENTRY_RPC_CAPABILITY).toBe('run_sentry_rpc');
    expect(stub.requests).toBe(1);
  });

  it('reads a caller without the capability', async () => {
    const stub = await startStub();
    const caller = await fetchCaller({ splunkdUri: `${stub.uri}/`, sessionKey: USER_KEY });
    expect(caller).toEqual({ username: 'alice', roles: ['user'], capabilities: ['get_metadata', 'rest_properties_get', 'search'] });
    expect(hasCapability(caller, SENTRY_RPC_CAPABILITY)).toBe(false);
  });

  it('a key splunkd refuses (401, 403) is refused-key, and no key is in the error', async () => {
    const stub = await startStub();
    const error = await refusal(fetchCaller({ splunkdUri: stub.uri, sessionKey: WRONG_KEY }), 'refused-key');
    expect(error.message).toContain(`splunkd at ${stub.uri} refused the search's session key (HTTP 401)`);
    const forbidden = await startStub((_request, response) => response.writeHead(403).end());
    const error403 = await refusal(fetchCaller({ splunkdUri: forbidden.uri, sessionKey: ADMIN_KEY }), 'refused-key');
    expect(error403.message).toContain('(HTTP 403)');
  });

  it('a key that is empty or could split the header is refused without being sent', async () => {
    const stub = await startStub();
    for (const sessionKey of ['', `${ADMIN_KEY}\r\nX-Evil: 1`, 'two words', 'quo"te']) {
      const opened = await socketsOpenedBy(() => refusal(fetchCaller({ splunkdUri: stub.uri, sessionKey }), 'refused-key'));
      expect(opened).toBe(0);
    }
    expect(stub.requests).toBe(0);
  });

  it("another status is http, quoting splunkd's message scrubbed of the key (even where the quote cuts it)", async () => {
    const stub = await startStub((request, response) => {
      // A splunkd that echoes the header in its error, so that the 60-character quote of it ends inside the key.
      const text = `failure of ${'x'.repeat(20)} ${request.headers.authorization ?? ''}`;
      response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ messages: [{ type: 'ERROR', text }] }));
    });
    const error = await refusal(fetchCaller({ splunkdUri: stub.uri, sessionKey: ADMIN_KEY }), 'http');
    expect(error.message).toContain(`splunkd at ${stub.uri} answered HTTP 500`);
    expect(error.message).toContain('failure of xxx');
    expect(error.message).toContain('Splunk [sess');
    expect(error.message).not.toContain(ADMIN_KEY.slice(0, 8));
  });

  it('a redirect is not followed: http, one request', async () => {
    const stub = await startStub((_request, response) => response.writeHead(303, { location: '/services/elsewhere' }).end());
    const error = await refusal(fetchCaller({ splunkdUri: stub.uri, sessionKey: ADMIN_KEY }), 'http');
    expect(error.message).toContain('HTTP 303 (a redirect, not followed)');
    expect(stub.requests).toBe(1);
  });

  it('HTML, bytes that are not UTF-8 and a wrong shape are bad-answer', async () => {
    const answers: [string | Buffer, string][] = [
      ['<html><body>Splunk Web</body></html>', 'not JSON'],
      [Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'not JSON'],
      [contextAnswer({ username: 'admin', roles: ['admin'], capabilities: 'search' }), 'entry[0].content.capabilities'],
      [contextAnswer({ roles: ['admin'], capabilities: [] }), 'entry[0].content.username'],
      [JSON.stringify({ entry: [] }), 'entry'],
      ['[1, 2]', 'unexpected shape'],
    ];
    for (const [body, expected] of answers) {
      const stub = await startStub((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body));
      const error = await refusal(fetchCaller({ splunkdUri: stub.uri, sessionKey: ADMIN_KEY }), 'bad-answer');
      expect(error.message).toContain(expected);
      expect(error.message).toContain(`splunkd at ${stub.uri}`);
    }
  });

  it('an answer over the limit is refused, declared (before its body comes) or streamed', async () => {
    const big = Buffer.alloc(SPLUNKD_RESPONSE_LIMIT_BYTES + 1, 0x20);
    // Declares too much, sends one byte and waits: only the declared length can refuse it within the timeout.
    const declared = await startStub((_request, response) => response.writeHead(200, { 'content-length': big.length }).write('{'));
    const streamed = await startStub((_request, response) => {
      response.writeHead(200); // no content-length: chunked
      response.write(big.subarray(0, SPLUNKD_RESPONSE_LIMIT_BYTES));
      response.end(big.subarray(SPLUNKD_RESPONSE_LIMIT_BYTES));
    });
    for (const stub of [declared, streamed]) {
      const error = await refusal(fetchCaller({ splunkdUri: stub.uri, sessionKey: ADMIN_KEY, timeoutMs: 5_000 }), 'bad-answer');
      expect(error.message).toContain(`larger than ${SPLUNKD_RESPONSE_LIMIT_BYTES} bytes`);
    }
    // The same body, one byte shorter, is read (then refused as not JSON): the limit is exact.
    const atLimit = await startStub((_request, response) => response.writeHead(200).end(big.subarray(1)));
    const error = await refusal(fetchCaller({ splunkdUri: atLimit.uri, sessionKey: ADMIN_KEY }), 'bad-answer');
    expect(error.message).toContain('not JSON');
  });

  it('leaves no socket or timer behind: after an answer, a timeout, and an abort', async () => {
    const stub = await startStub((request, response) => {
      if (request.headers.authorization === `Splunk ${ADMIN_KEY}`) splunkd(request, response);
      // otherwise never answers
    });
    const before = await baselineHandles();
    expect(before.filter((r) => r === 'TCPServerWrap')).toHaveLength(1);

    await fetchCaller({ splunkdUri: stub.uri, sessionKey: ADMIN_KEY, timeoutMs: 60_000 });
    expect(await settledHandles(before)).toEqual(before);

    const started = Date.now();
    const error = await refusal(fetchCaller({ splunkdUri: stub.uri, sessionKey: USER_KEY, timeoutMs: 200 }), 'timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.message).toContain(`splunkd at ${stub.uri} did not answer within 200 ms`);
    expect(await settledHandles(before)).toEqual(before);

    const controller = new AbortController();
    const aborted = fetchCaller({ splunkdUri: stub.uri, sessionKey: USER_KEY, timeoutMs: 60_000, signal: controller.signal });
    const cancelled = new Error('search cancelled');
    setTimeout(() => controller.abort(cancelled), 50);
    await expect(aborted).rejects.toBe(cancelled);
    expect(await settledHandles(before)).toEqual(before);

    // The server closes without dropping anyone: every connection ended on the client's side.
    await new Promise<void>((resolve) => stub.server.getConnections((_error, count) => (expect(count).toBe(0), resolve())));
  });

  it('an already aborted signal rejects without connecting', async () => {
    const stub = await startStub();
    const reason = new Error('gone');
    let rejection: unknown;
    const opened = await socketsOpenedBy(() =>
      fetchCaller({ splunkdUri: stub.uri, sessionKey: ADMIN_KEY, signal: AbortSignal.abort(reason) }).catch((error: unknown) => {
        rejection = error;
      }),
    );
    expect(rejection).toBe(reason);
    expect(opened).toBe(0);
  });

  it('plain http:// to loopback is allowed (splunkd with SSL off on this host)', async () => {
    const stub = await startStub(splunkd, false);
    expect(stub.uri).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const opened = await socketsOpenedBy(async () =>
      expect(await fetchCaller({ splunkdUri: stub.uri, sessionKey: ADMIN_KEY })).toEqual(CONTEXTS[ADMIN_KEY]),
    );
    expect(opened).toBe(1); // the probe sees connections, so the zeros elsewhere mean something
  });

  it('refuses, without any connection: http:// off loopback, other schemes, credentials, a path, not a URL', async () => {
    const cases: [string, string][] = [
      ['http://10.1.2.3:8089', 'refusing plain http:// to splunkd at http://10.1.2.3:8089, which is not loopback'],
      ['http://splunk.example.com:8089', 'http://splunk.example.com:8089, which is not loopback'],
      ['ftp://127.0.0.1:8089', 'splunkd_uri ftp://127.0.0.1:8089 from getinfo: expected https://'],
      ['file:///etc/passwd', 'not file://'],
      ['https://admin:changeme@127.0.0.1:8089', 'splunkd_uri https://127.0.0.1:8089 from getinfo holds a user name or password'],
      ['https://127.0.0.1:8089/services/other', 'splunkd_uri https://127.0.0.1:8089 from getinfo has a path'],
      ['https://127.0.0.1:8089?x=1', 'has a path, query or fragment'],
      ['127.0.0.1:8089', 'expected https://'],
      ['not a url', 'splunkd_uri "not a url" from getinfo is not a URL'],
      ['https://admin:changeme@[bad', 'splunkd_uri "https://[bad" from getinfo is not a URL'],
    ];
    for (const [splunkdUri, expected] of cases) {
      const opened = await socketsOpenedBy(async () => {
        const error = await refusal(fetchCaller({ splunkdUri, sessionKey: ADMIN_KEY }), 'bad-uri');
        expect(error.message).toContain(expected);
        expect(error.message).not.toContain('changeme');
      });
      expect(opened, splunkdUri).toBe(0);
    }
  });

  it.skipIf(!otherCa)('with [splunkd] ca_file: a certificate it did not sign is refused, naming it; one it signed is used', async () => {
    const stub = await startStub();
    const error = await refusal(fetchCaller({ splunkdUri: stub.uri, sessionKey: ADMIN_KEY, ca: otherCa!.cert }), 'certificate');
    expect(error.message).toContain(`splunkd at ${stub.uri}: its TLS certificate did not verify against [splunkd] ca_file`);
    expect(error.message).toContain("set ca_file in [splunkd] of the app's local/sentry.conf");
    expect(stub.requests).toBe(0); // the key never went out
    // The stub's certificate is its own CA: given as ca_file, it verifies (IP:127.0.0.1 is in its names).
    expect(await fetchCaller({ splunkdUri: stub.uri, sessionKey: ADMIN_KEY, ca: tls!.cert })).toEqual(CONTEXTS[ADMIN_KEY]);
  });

  it('TLS policy: loopback without ca not verified; with ca verified against it; elsewhere verified against the system CAs', () => {
    expect(splunkdTransport('https://127.0.0.1:8089').tls).toEqual({ rejectUnauthorized: false });
    expect(splunkdTransport('https://[::1]:8089').tls).toEqual({ rejectUnauthorized: false });
    expect(splunkdTransport('https://127.0.0.1:8089', 'PEM').tls).toEqual({ rejectUnauthorized: true, ca: 'PEM' });
    expect(splunkdTransport('https://splunk.example.com:8089').tls).toEqual({ rejectUnauthorized: true });
    expect(splunkdTransport('https://10.1.2.3:8089', 'PEM').tls).toEqual({ rejectUnauthorized: true, ca: 'PEM' });
    expect(splunkdTransport('http://127.0.0.1:8089').tls).toBe(false);
    expect(splunkdTransport('https://127.0.0.1:8089/').origin).toBe('https://127.0.0.1:8089');
    expect(splunkdTransport('https://[::1]:8089').origin).toBe('https://[::1]:8089');
  });

  it('unreachable: nothing listening, and TLS spoken to a plain HTTP port', async () => {
    const closed = await startStub();
    await new Promise((resolve) => closed.server.close(resolve));
    const error = await refusal(fetchCaller({ splunkdUri: closed.uri, sessionKey: ADMIN_KEY }), 'unreachable');
    expect(error.message).toContain(`splunkd at ${closed.uri} is unreachable: nothing listens there`);

    const plain = await startStub(splunkd, false);
    const tlsToPlain = plain.uri.replace('http://', 'https://');
    const wrongProtocol = await refusal(fetchCaller({ splunkdUri: tlsToPlain, sessionKey: ADMIN_KEY }), 'unreachable');
    expect(wrongProtocol.message).toContain(`splunkd at ${tlsToPlain} does not speak TLS`);
    expect(plain.requests).toBe(0);
  });

  it('a one-letter key does not blank that letter out of the message (a short key is no secret to scrub)', async () => {
    const closed = await startStub();
    await new Promise((resolve) => closed.server.close(resolve));
    const error = await refusal(fetchCaller({ splunkdUri: closed.uri, sessionKey: 'k' }), 'unreachable');
    expect(error.message).toContain(`splunkd at ${closed.uri} is unreachable: nothing listens there: check that splunkd is running`);
  });
});
