// detail=t on sentry-netstat and sonar-sentry-netstat (issue 15): the option, the params it sends, the records
// with and without it, and the checks of the detail fields of an answer.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ERRORS,
  IpAddress,
  MalformedAnswerError,
  netstatRows,
  PLUGIN_COMMANDS,
  QueryParseError,
  type SentryRpcCommand,
  sentryNetstatCommand,
  sonarSentryNetstatCommand,
  hostConfigFrom,
  type Cluster,
  type ParseContext,
  type Row,
} from '../../src/index.js';
import { netstatRow } from '../../src/commands/netstat-vocabulary.js';
import { netstatDetailAnswerSchema } from '../../src/commands/netstat-answer.js';
import { MockCluster, MockHost, MockSentryConnector, MOCK_METHODS, type MockSentry } from '../../sdk-mock/index.js';
import type { SentryCallOptions } from '../../src/runtime/sentry-connector.js';
import { knownOutputFields } from '../../src/cli/output/known-fields.js';
import { CONTAINER_ID_MAX_CHARS, NETSTAT_OWNERS_LIMIT, PROCESS_NAME_MAX_CHARS } from '../../src/rpc/limits.js';
import { connection } from '../helpers/fleet.js';

const REFERENCE_FIELDS = ['guid', 'pid', 'protocol', 'local_ip', 'local_port', 'remote_ip', 'remote_port', 'state'];
const DETAIL_FIELDS = ['process', 'owners', 'uid', 'inode', 'netns', 'container'];
const CONTAINER = 'ab'.repeat(32);

/** A connection as a detail-aware agent sends it. */
const detailed = (overrides: Record<string, unknown> = {}) =>
  connection({ process: 'nginx', owners: [812, 813], uid: 33, inode: 40112, netns: 4026531840, container: CONTAINER, ...overrides });

const parseContext: ParseContext = { session: { user: 'admin', isAdmin: true }, config: hostConfigFrom(), env: {} };

describe('the detail option', () => {
  const parse = (args: string) => sentryNetstatCommand.parse(parseContext, args) as SentryRpcCommand;

  it.each([
    ['', false],
    [' detail=t', true],
    [' detail=T', true],
    [' detail=true', true],
    [' detail=TRUE', true],
    [' detail=True', true],
    [' detail="t"', true],
    [' detail=f', false],
    [' detail=F', false],
    [' detail=false', false],
    [' detail=FALSE', false],
    [' timeout=60 detail=t', true],
    [' detail=t timeout=60', true],
  ])('%j → detail %s', (args, detail) => {
    expect(parse(args).settings.flags).toEqual({ detail });
  });

  it.each([
    ['yes', 8],
    ['1', 8],
    ['', 8],
    ['tru', 8],
    ['on', 8],
  ])('detail=%j is 23106 at the value, naming the option and the value', (value, offset) => {
    const args = ` detail=${value}`;
    let thrown: unknown;
    try {
      parse(args);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(QueryParseError);
    const error = thrown as QueryParseError<unknown[]>;
    expect(error.code).toBe(23106);
    expect(error.offset).toBe(offset);
    expect(error.message).toContain(`Invalid detail option value. Use t or f. Got ${JSON.stringify(value)}.`);
  });

  it('is checked after the timeout (23101 first) and the option text (23103 for a repeat), before the parallel setting (23104)', () => {
    expect(() => parse(' timeout=0 detail=x')).toThrow(expect.objectContaining({ code: 23101 }));
    expect(() => parse(' detail=t detail=f')).toThrow(expect.objectContaining({ code: 23103 }));
    const badParallel = { ...parseContext, config: hostConfigFrom({ 'logpresso.core.sentry_rpc_parallel': 'x' }) };
    expect(() => sentryNetstatCommand.parse(badParallel, ' detail=x')).toThrow(expect.objectContaining({ code: 23106 }));
    expect(() => sentryNetstatCommand.parse(badParallel, ' detail=t')).toThrow(expect.objectContaining({ code: 23104 }));
    expect(() => sentryNetstatCommand.parse({ ...parseContext, session: { user: 'a', isAdmin: false } }, ' detail=x')).toThrow(
      expect.objectContaining({ code: 23100 }),
    );
  });

  it('both commands have it, list 23106 among their errors, and name it when an option is unknown', () => {
    for (const command of [sentryNetstatCommand, sonarSentryNetstatCommand]) {
      expect(command.errors).toContain(ERRORS.INVALID_BOOLEAN_OPTION);
      expect(command.help.options.map((o) => [o.name, o.type, o.default])).toEqual([
        ['timeout', 'int', 30],
        ['detail', 'bool', 'f'],
      ]);
      expect(() => command.parse(parseContext, ' detial=t')).toThrow(
        "Unknown option 'detial' at offset 1. Did you mean 'detail'? The options are: timeout, detail.",
      );
    }
  });

  it('the help lists the detail fields after state, marked as brought by detail (sonar: node after guid)', () => {
    const names = (c: typeof sentryNetstatCommand) => c.help.outputFields.map((f) => f.name);
    expect(names(sentryNetstatCommand)).toEqual([...REFERENCE_FIELDS, ...DETAIL_FIELDS, '_error']);
    expect(names(sonarSentryNetstatCommand)).toEqual(['guid', 'node', ...REFERENCE_FIELDS.slice(1), ...DETAIL_FIELDS, '_error']);
    for (const field of sentryNetstatCommand.help.outputFields.filter((f) => DETAIL_FIELDS.includes(f.name))) {
      expect(field.onlyWith).toBe('detail');
      expect(field.description).toMatch(/^With detail=t: /);
    }
  });

  it('CSV knows the detail columns only when detail is true', () => {
    const commands = new Map(PLUGIN_COMMANDS.map((c) => [c.name, c]));
    const known = (query: string) => knownOutputFields(query, commands);
    expect(known('sentry | sentry-netstat')).toEqual([...REFERENCE_FIELDS, '_error']);
    expect(known('sentry | sentry-netstat detail=f')).toEqual([...REFERENCE_FIELDS, '_error']);
    expect(known('sentry | sentry-netstat timeout=5 detail=TRUE | search pid > 1')).toEqual([
      ...REFERENCE_FIELDS,
      ...DETAIL_FIELDS,
      '_error',
    ]);
    expect(known('sentry | sonar-sentry-netstat detail=t')).toEqual([
      'guid',
      'node',
      ...REFERENCE_FIELDS.slice(1),
      ...DETAIL_FIELDS,
      '_error',
    ]);
    expect(known('sentry | sentry-netstat timeout="detail=t"')).toEqual([...REFERENCE_FIELDS, '_error']);
  });
});

describe('sentry-netstat detail=t on the mock host', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A host whose sentries record the params of every call, and answer their connections. */
  function recordingHost(sentries: MockSentry[]) {
    const params: unknown[] = [];
    const connector = new MockSentryConnector(sentries, {
      netstat: (sentry, p) => {
        params.push(p);
        return MOCK_METHODS['netstat']!(sentry, p);
      },
    });
    return { host: new MockHost({ connector, env: {} }), params };
  }

  async function run(host: MockHost, query: string): Promise<Row[]> {
    const rows = host.query(query);
    await vi.runAllTimersAsync();
    return rows;
  }

  it('calls netstat with {} without detail (as the reference page does) and {detail: true} with it', async () => {
    const { host, params } = recordingHost([{ guid: 'web-01', connections: [detailed()] }]);
    await run(host, 'sentry | fields guid | sentry-netstat');
    await run(host, 'sentry | fields guid | sentry-netstat detail=f');
    await run(host, 'sentry | fields guid | sentry-netstat detail=t');
    expect(params).toEqual([{}, {}, { detail: true }]);
  });

  it('without detail=t the records have exactly the reference fields, whatever the sentry sends', async () => {
    const { host } = recordingHost([{ guid: 'web-01', connections: [detailed(), detailed({ owners: 'garbage', uid: -1 })] }]);
    const rows = await run(host, 'sentry | fields guid | sentry-netstat');
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(Object.keys(row)).toEqual(REFERENCE_FIELDS);
  });

  it('with detail=t every record ends with the six detail fields in order, null when the sentry did not say', async () => {
    const { host } = recordingHost([
      { guid: 'web-01', delay_ms: 10, connections: [detailed()] },
      { guid: 'old-01', delay_ms: 20, connections: [connection({ pid: null })] },
      {
        guid: 'hidden-01',
        delay_ms: 30,
        connections: [connection({ pid: null, process: null, owners: [], uid: 1001, inode: 5, netns: 7 })],
      },
    ]);
    const rows = await run(host, 'sentry | fields guid | sentry-netstat detail=t');
    for (const row of rows) expect(Object.keys(row)).toEqual([...REFERENCE_FIELDS, ...DETAIL_FIELDS]);
    expect(rows.map((r) => DETAIL_FIELDS.map((f) => r[f]))).toEqual([
      ['nginx', [812, 813], 33, 40112, 4026531840, CONTAINER],
      [null, null, null, null, null, null],
      [null, [], 1001, 5, 7, null],
    ]);
    expect(rows[0]!['local_ip']).toEqual(IpAddress.parse('0.0.0.0'));
  });

  it('a bad detail field is a malformed answer with detail=t (the query goes on), and ignored without it', async () => {
    const { host } = recordingHost([
      { guid: 'bad-01', delay_ms: 10, connections: [detailed(), detailed({ owners: [1, -2] })] },
      { guid: 'good-01', delay_ms: 20, connections: [detailed()] },
    ]);
    const rows = await run(host, 'sentry | fields guid | sentry-netstat detail=t');
    expect(rows[0]).toEqual({
      guid: 'bad-01',
      _error: 'malformed netstat answer: [1].owners[1]: expected a non-negative integer pid (got -2)',
    });
    expect(rows.slice(1).map((r) => r['guid'])).toEqual(['good-01']);
    expect((await run(host, 'sentry | fields guid | sentry-netstat')).map((r) => r['guid'])).toEqual(['bad-01', 'bad-01', 'good-01']);
  });

  it('process names and container ids are escaped and bounded where they enter the record', async () => {
    const { host } = recordingHost([
      {
        guid: 'web-01',
        connections: [detailed({ process: '\x1b]0;pwned\x07', container: 'c'.repeat(10_000) }), detailed({ process: 'p'.repeat(5000) })],
      },
    ]);
    const rows = await run(host, 'sentry | fields guid | sentry-netstat detail=t');
    expect(rows[0]!['process']).toBe('\\x1b]0;pwned\\x07');
    expect((rows[0]!['container'] as string).length).toBeLessThanOrEqual(CONTAINER_ID_MAX_CHARS);
    expect(rows[0]!['container']).toMatch(/… \[truncated from 10000 characters\]$/);
    expect((rows[1]!['process'] as string).length).toBeLessThanOrEqual(PROCESS_NAME_MAX_CHARS);
  });
});

describe('sonar-sentry-netstat detail=t on the mock cluster', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the params through the cluster; node stays after guid, the detail fields after state', async () => {
    const mock = new MockCluster([{ name: 'dn1', sentries: [{ guid: 'web-01', connections: [detailed()] }] }]);
    const params: unknown[] = [];
    // The mock cluster, recording the params each call carries to the data node.
    const cluster: Cluster = {
      nodes: () => mock.nodes(),
      sentries: () => mock.sentries(),
      locate: (guid) => mock.locate(guid),
      call: (node: string, guid: string, method: string, p: Readonly<Record<string, unknown>>, options: SentryCallOptions) => {
        params.push(p);
        return mock.call(node, guid, method, p, options);
      },
    };
    const host = new MockHost({ env: {}, cluster });
    const plain = host.query('sentry | fields guid | sonar-sentry-netstat');
    await vi.runAllTimersAsync();
    expect(Object.keys((await plain)[0]!)).toEqual(['guid', 'node', ...REFERENCE_FIELDS.slice(1)]);
    const rows = host.query('sentry | fields guid | sonar-sentry-netstat detail=TRUE');
    await vi.runAllTimersAsync();
    const [row] = await rows;
    expect(params).toEqual([{}, { detail: true }]);
    expect(Object.keys(row!)).toEqual(['guid', 'node', ...REFERENCE_FIELDS.slice(1), ...DETAIL_FIELDS]);
    expect(row!['node']).toBe('dn1');
    expect(row!['owners']).toEqual([812, 813]);
    expect(row!['container']).toBe(CONTAINER);
  });
});

describe('netstatRows with detail: the fast path and the full schema agree', () => {
  const count = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 }), fc.constantFrom(null, undefined, -1, 1.5, '7', 2 ** 60, true));
  const text = fc.oneof(fc.string(), fc.constantFrom(null, undefined, 5, {}, ['x']));
  const owners = fc.oneof(
    fc.array(fc.integer({ min: 0, max: 4_194_304 }), { maxLength: 4 }),
    fc.constantFrom(null, undefined, 'x', [1, -1], [1.5], {}, [2 ** 60]),
  );
  const conn = fc
    .record({ process: text, owners, uid: count, inode: count, netns: count, container: text }, { requiredKeys: [] })
    .map((d) => ({ ...connection(), ...d }));

  /** Rows from the full schema alone, through the same record builder; or 'refused'. */
  function byFullSchema(answer: unknown): unknown {
    const parsed = netstatDetailAnswerSchema.safeParse(answer);
    if (!parsed.success) return 'refused';
    return JSON.stringify(parsed.data.map((c) => netstatRow('g', c, c.local_ip, c.remote_ip, c)));
  }
  function byNetstatRows(answer: unknown): unknown {
    try {
      return JSON.stringify(netstatRows('g', answer, { detail: true }));
    } catch (error) {
      expect(error).toBeInstanceOf(MalformedAnswerError);
      return 'refused';
    }
  }

  it('accepts exactly what netstatDetailAnswerSchema accepts, with the same rows (property)', () => {
    fc.assert(
      fc.property(fc.array(conn, { maxLength: 4 }), (answer) => {
        expect(byNetstatRows(answer)).toEqual(byFullSchema(answer));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    [{ owners: [1, 2.5] }, '[0].owners[1]: expected a non-negative integer pid (got 2.5)'],
    [{ owners: 'x' }, '[0].owners: expected a list of pids or null (got "x")'],
    [{ uid: -1 }, '[0].uid: expected a non-negative integer uid or null (got -1)'],
    [{ inode: 2 ** 60 }, '[0].inode: expected a non-negative integer inode or null'],
    [{ netns: '4026531840' }, '[0].netns: expected a non-negative integer netns or null (got "4026531840")'],
    [{ process: 7 }, '[0].process: expected a process name string or null (got 7)'],
    [{ container: {} }, '[0].container: expected a container id string or null'],
  ])('%j is refused with detail: %s', (bad, message) => {
    expect(() => netstatRows('g', [detailed(bad)], { detail: true })).toThrow(`malformed netstat answer: ${message}`);
    expect(netstatRows('g', [detailed(bad)])).toHaveLength(1);
  });

  it(`refuses more than ${NETSTAT_OWNERS_LIMIT} owners on one connection, and takes that many`, () => {
    const many = Array.from({ length: NETSTAT_OWNERS_LIMIT }, (_, i) => i + 1);
    expect(netstatRows('g', [detailed({ owners: many })], { detail: true })[0]!['owners']).toHaveLength(NETSTAT_OWNERS_LIMIT);
    expect(() => netstatRows('g', [detailed({ owners: [...many, NETSTAT_OWNERS_LIMIT + 1] })], { detail: true })).toThrow(
      `malformed netstat answer: [0].owners: expected at most ${NETSTAT_OWNERS_LIMIT} owners`,
    );
  });
});
