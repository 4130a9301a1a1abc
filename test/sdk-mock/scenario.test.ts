// Scenario files (sdk-mock/scenario.ts): valid scenarios' host options, refusals naming the bad path, and loading files.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockHost } from '../../sdk-mock/index.js';
import { loadScenarioFile, ScenarioError, scenarioHostOptions, scenarioSchema } from '../../sdk-mock/scenario.js';
import type { Row } from '../../src/index.js';

const LISTEN = { pid: 812, protocol: 'tcp', local_ip: '0.0.0.0', local_port: 22, remote_ip: '0.0.0.0', remote_port: 0, state: 'LISTEN' };
const ESTABLISHED6 = { protocol: 'tcp6', local_ip: '::1', local_port: 5432, remote_ip: '::1', remote_port: 40112, state: 'ESTABLISHED' };

const VALID = {
  users: { admin: { admin: true }, alice: { admin: false } },
  config: { 'logpresso.core.sentry_rpc_parallel': 8, label: 'lab', verbose: true },
  sentries: [
    { guid: 'web-01', os: 'linux', hostname: 'web-01.lan', remote_ip: '192.0.2.10', delay_ms: 50, connections: [LISTEN, ESTABLISHED6] },
    { guid: 'db-01', connected: false },
    { guid: 'slow', fail: 'timeout' },
    { guid: 'gone', fail: 'disconnect' },
    { guid: 'junk', fail: 'malformed' },
    { guid: 'oops', fail: { error: 'permission denied' }, remote_ip: '2001:db8::1' },
    { guid: 'ps-01', answers: { ps: [{ pid: 1, name: 'init' }], uptime: 12.5, info: { kernel: '6.1' }, nothing: null } },
  ],
  nodes: [
    { name: 'node-a', sentries: [{ guid: 'web-01' }], delay_ms: 10 },
    { name: 'node-b', fail: 'down' },
  ],
};

/** The ScenarioError `data` is refused with (fails the test when it is accepted). */
function refusal(data: unknown, source?: string): ScenarioError {
  try {
    scenarioHostOptions(data, source);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return error as ScenarioError;
  }
  throw new Error(`accepted: ${JSON.stringify(data)}`);
}

describe('scenarioHostOptions: valid scenarios', () => {
  it('turns a scenario into host options, keeping connections and answers as written', () => {
    const options = scenarioHostOptions(structuredClone(VALID));
    expect(options).toEqual(VALID);
    // Connections are what the sentry sends on the wire: addresses stay strings, a missing pid stays missing.
    expect(options.sentries?.[0]?.connections?.[1]).toEqual(ESTABLISHED6);
    expect(options.sentries?.[0]?.connections?.[1]).not.toHaveProperty('pid');
  });

  it('leaves out what the scenario leaves out, so the host keeps its defaults', () => {
    const options = scenarioHostOptions({});
    expect(options).toEqual({});
    expect(Object.keys(options)).toEqual([]);
    expect(Object.keys(scenarioHostOptions({ sentries: [] }))).toEqual(['sentries']);
  });

  it('ignores keys a newer agent adds to a connection, as a sentry answer would', () => {
    const connection = { ...LISTEN, inode: 12345 };
    const options = scenarioHostOptions({ sentries: [{ guid: 'a', connections: [connection] }] });
    expect(options.sentries?.[0]?.connections).toEqual([connection]);
  });

  it('the schema is exported for tools that check a scenario without using it', () => {
    expect(scenarioSchema.safeParse(VALID).success).toBe(true);
    expect(scenarioSchema.safeParse({ sentry: [] }).success).toBe(false);
  });
});

describe('scenarioHostOptions: refused scenarios', () => {
  it('is a ScenarioError whose message starts with the source', () => {
    const error = refusal({ sentries: 'web-01' }, 'lab.json');
    expect(error.name).toBe('ScenarioError');
    expect(error.message).toMatch(/^lab\.json: sentries: /);
    expect(refusal({ sentries: 'web-01' }).message).toMatch(/^scenario: sentries: /);
  });

  it.each([
    ['the top level', { sentry: [] }, /^s\.json: Unrecognized key: "sentry"/],
    ['a sentry', { sentries: [{ guid: 'a', delay: 5 }] }, /^s\.json: sentries\[0\]: Unrecognized key: "delay"/],
    ['a node', { nodes: [{ name: 'n', sentry: [] }] }, /^s\.json: nodes\[0\]: Unrecognized key: "sentry"/],
    ['a user', { users: { bob: { admin: false, root: true } } }, /^s\.json: users\.bob: Unrecognized key: "root"/],
    [
      'an error failure',
      { sentries: [{ guid: 'a', fail: { error: 'x', code: 1 } }] },
      /^s\.json: sentries\[0\]\.fail: Unrecognized key: "code"/,
    ],
  ])('refuses an unknown key in %s, naming where it is', (_where, data, message) => {
    expect(refusal(data, 's.json').message).toMatch(message);
  });

  it('refuses a duplicate guid, naming the second one', () => {
    const error = refusal({ sentries: [{ guid: 'a' }, { guid: 'b' }, { guid: 'a' }] }, 's.json');
    expect(error.message).toMatch(/^s\.json: sentries\[2\]\.guid: duplicate guid 'a'/);
  });

  it('refuses a duplicate guid inside a data node', () => {
    const error = refusal({ nodes: [{ name: 'n1', sentries: [{ guid: 'x' }, { guid: 'x' }] }] }, 's.json');
    expect(error.message).toMatch(/^s\.json: nodes\[0\]\.sentries\[1\]\.guid: duplicate guid 'x'/);
  });

  it('allows the same guid on two different data nodes', () => {
    const nodes = [
      { name: 'n1', sentries: [{ guid: 'x' }] },
      { name: 'n2', sentries: [{ guid: 'x' }] },
    ];
    expect(scenarioHostOptions({ nodes }).nodes).toEqual(nodes);
  });

  it('refuses a duplicate node name, naming the second one', () => {
    const error = refusal({ nodes: [{ name: 'n1' }, { name: 'n2' }, { name: 'n1' }] }, 's.json');
    expect(error.message).toMatch(/^s\.json: nodes\[2\]\.name: duplicate node 'n1'/);
  });

  it.each([
    [
      'a port out of range',
      { local_port: 70000 },
      /sentries\[0\]\.connections\[1\]\.local_port: expected an integer port 0\.\.65535 \(got 70000\)/,
    ],
    ['an unknown protocol', { protocol: 'sctp' }, /sentries\[0\]\.connections\[1\]\.protocol: expected tcp, tcp6, udp or udp6/],
    ['a state of another protocol', { state: 'BOUND' }, /sentries\[0\]\.connections\[1\]\.state: expected a tcp state .*\(got "BOUND"\)/],
    [
      'an IPv4 address on tcp6',
      { protocol: 'tcp6', state: 'LISTEN' },
      /sentries\[0\]\.connections\[1\]\.local_ip: expected an IPv6 address for tcp6/,
    ],
    ['an address that is not one', { remote_ip: '10.0.0.300' }, /sentries\[0\]\.connections\[1\]\.remote_ip: expected an IP address/],
    ['a negative pid', { pid: -1 }, /sentries\[0\]\.connections\[1\]\.pid: expected an integer pid or null/],
  ])('refuses a connection with %s, naming its path', (_what, change, message) => {
    const error = refusal({ sentries: [{ guid: 'a', connections: [LISTEN, { ...LISTEN, ...change }] }] }, 's.json');
    expect(error.message).toMatch(message);
  });

  it('checks connections of sentries on data nodes too', () => {
    const data = { nodes: [{ name: 'n', sentries: [{ guid: 'a', connections: [{ ...LISTEN, remote_port: '80' }] }] }] };
    expect(refusal(data, 's.json').message).toMatch(
      /^s\.json: nodes\[0\]\.sentries\[0\]\.connections\[0\]\.remote_port: expected an integer port/,
    );
  });

  it.each([
    [
      'an unknown word',
      'explode',
      /sentries\[0\]\.fail: expected "timeout", "disconnect", "malformed" or \{ "error": "message" \} \(got "explode"\)/,
    ],
    ['an empty error message', { error: '' }, /sentries\[0\]\.fail\.error: /],
    ['a bare true', true, /sentries\[0\]\.fail: expected "timeout"/],
  ])('refuses fail as %s', (_what, fail, message) => {
    expect(refusal({ sentries: [{ guid: 'a', fail }] }, 's.json').message).toMatch(message);
  });

  it('refuses a node fail other than "down"', () => {
    expect(refusal({ nodes: [{ name: 'n', fail: 'timeout' }] }, 's.json').message).toMatch(
      /^s\.json: nodes\[0\]\.fail: expected "down" \(got "timeout"\)/,
    );
  });

  it('refuses answers that are not an object of method names', () => {
    expect(refusal({ sentries: [{ guid: 'a', answers: [1, 2] }] }, 's.json').message).toMatch(/^s\.json: sentries\[0\]\.answers: /);
    expect(refusal({ sentries: [{ guid: 'a', answers: 'ps' }] }, 's.json').message).toMatch(/^s\.json: sentries\[0\]\.answers: /);
    expect(refusal({ sentries: [{ guid: 'a', answers: { '': 1 } }] }, 's.json').message).toMatch(/^s\.json: sentries\[0\]\.answers/);
  });

  it.each([
    ['an empty guid', { sentries: [{ guid: '' }] }, /sentries\[0\]\.guid: expected a non-empty guid/],
    ['a missing guid', { sentries: [{ os: 'linux' }] }, /sentries\[0\]\.guid: /],
    ['a negative delay', { sentries: [{ guid: 'a', delay_ms: -1 }] }, /sentries\[0\]\.delay_ms: /],
    ['a fractional delay', { nodes: [{ name: 'n', delay_ms: 1.5 }] }, /nodes\[0\]\.delay_ms: /],
    [
      'a remote_ip that is not an address',
      { sentries: [{ guid: 'a', remote_ip: '1.2.3' }] },
      /sentries\[0\]\.remote_ip: .*\(got "1\.2\.3"\)/,
    ],
    ['a user without admin', { users: { bob: {} } }, /users\.bob\.admin: /],
    ['a config value that is null', { config: { k: null } }, /config\.k: /],
    ['an array instead of an object', [], /^s\.json: Invalid input: expected object, received array/],
  ])('refuses %s, naming its path', (_what, data, message) => {
    expect(refusal(data, 's.json').message).toMatch(message);
  });
});

describe('loadScenarioFile', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scenario-test-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a valid file into host options', async () => {
    const path = join(dir, 'valid.json');
    await writeFile(path, JSON.stringify(VALID, null, 2));
    await expect(loadScenarioFile(path)).resolves.toEqual(VALID);
  });

  it('names a missing file and why it could not be read', async () => {
    const path = join(dir, 'missing.json');
    const load = loadScenarioFile(path);
    await expect(load).rejects.toBeInstanceOf(ScenarioError);
    await expect(load).rejects.toThrow(`${path}: cannot read the scenario file (ENOENT)`);
  });

  it('names a file that is not JSON', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{ "sentries": [ { "guid": "a" }, ] }');
    const load = loadScenarioFile(path);
    await expect(load).rejects.toBeInstanceOf(ScenarioError);
    await expect(load).rejects.toThrow(`${path}: not valid JSON (`);
  });

  it('names the file and the path of a bad value in it', async () => {
    const path = join(dir, 'bad-port.json');
    await writeFile(path, JSON.stringify({ sentries: [{ guid: 'a', connections: [LISTEN, { ...LISTEN, local_port: 70000 }] }] }));
    const load = loadScenarioFile(path);
    await expect(load).rejects.toBeInstanceOf(ScenarioError);
    await expect(load).rejects.toThrow(`${path}: sentries[0].connections[1].local_port: expected an integer port 0..65535 (got 70000)`);
  });

  // Issue 11: JSON.parse takes any depth; what reads the value afterwards must not overflow the stack.
  const DEPTH = 100_000;
  const deepArray = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
  const deepObject = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;
  it.each([
    ['the whole file', deepArray, /: expected object, received array \(got \[\[\[\[/],
    ['the sentry list', `{"sentries":${deepArray}}`, /: sentries\[0\]: .*\(got \[\[\[\[/],
    [
      'a connection',
      `{"sentries":[{"guid":"a","connections":[${deepArray}]}]}`,
      /: sentries\[0\]\.connections\[0\]: expected a connection object \(got \[\[/,
    ],
    ['a config value', `{"config":{"x":${deepObject}}}`, /: config\.x: .*\(got \{"a":\{"a":/],
  ])('names the file of a scenario nested 100,000 levels deep in %s, without a stack overflow', async (_where, text, message) => {
    const path = join(dir, 'deep.json');
    await writeFile(path, text);
    const load = loadScenarioFile(path);
    await expect(load).rejects.toBeInstanceOf(ScenarioError);
    await expect(load).rejects.toThrow(message);
    await expect(load).rejects.toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  });

  it("runs a scenario whose sentry answers 100,000 levels deep: that sentry's record says malformed", async () => {
    const path = join(dir, 'deep-answer.json');
    await writeFile(
      path,
      `{"sentries":[{"guid":"deep","answers":{"netstat":${deepArray}}},{"guid":"ok","connections":[${JSON.stringify(LISTEN)}]}]}`,
    );
    const host = new MockHost(await loadScenarioFile(path));
    const rows: Row[] = [];
    await host.start('sentry | fields guid | sentry-netstat', { onRecord: (row) => void rows.push(row) }).done;
    host.close();
    expect(rows).toHaveLength(2);
    expect(rows.find((row) => row['guid'] === 'deep')?.['_error']).toMatch(
      /^malformed netstat answer: \[0\]: expected a connection object \(got \[\[\[\[.{0,60}\)$/,
    );
    expect(rows.find((row) => row['guid'] === 'ok')).toMatchObject({ local_port: 22, state: 'LISTEN' });
  });
});
