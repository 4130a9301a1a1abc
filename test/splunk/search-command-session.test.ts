import { describe, expect, it } from 'vitest';
import { scenarioBackend } from '../../src/cli/splunk-scenario.js';
import { runSplunkSession } from '../../src/splunk/search-command-session.js';
import type { SessionBackend } from '../../src/splunk/session-backend.js';
import { SPLUNK_COMMANDS, type SplunkCommand } from '../../src/splunk/splunk-commands.js';
import type { MockSentry } from '../../sdk-mock/mock-sentries.js';
import { encodeChunk } from '../../src/splunk/chunked-protocol.js';
import { execute, getinfo, guidsCsv, inspectorMessages, listening, SessionPipes } from '../helpers/splunk-session.js';

const SENTRIES: MockSentry[] = [
  { guid: 'web-01', hostname: 'web-01', connections: [listening(812, 22), listening(1432, 80)] },
  { guid: '서버-02', hostname: 'db', connections: [listening(901, 5432)] },
  { guid: 'slow', delay_ms: 600_000, connections: [listening(1, 1)] },
];

const users = { admin: { admin: true }, analyst: { admin: false } };
const backend = (sentries: MockSentry[] = SENTRIES): SessionBackend => scenarioBackend({ users, sentries });

/** Runs a whole session over `chunks` (stdin then closed); returns the exit code and the answers. */
async function session(command: SplunkCommand, chunks: readonly Buffer[], over: SessionBackend = backend()) {
  const pipes = new SessionPipes();
  const done = runSplunkSession({ command, backend: over, input: pipes.input, output: pipes.output });
  for (const chunk of chunks) pipes.input.write(chunk);
  pipes.input.end();
  const code = await done;
  return { code, answers: pipes.answers() };
}

/** A sentrynetstat session over the test backend that the test can abort (as SIGTERM does). */
function abortableSession() {
  const pipes = new SessionPipes();
  const stop = new AbortController();
  const done = runSplunkSession({
    command: SPLUNK_COMMANDS.sentrynetstat!,
    backend: backend(),
    input: pipes.input,
    output: pipes.output,
    signal: stop.signal,
  });
  return { pipes, stop, done };
}

describe('a Splunk session of sentrynetstat', () => {
  it('getinfo then one execute of guids: the rows, not connected for an unknown guid, a non-ASCII guid intact', async () => {
    const { code, answers } = await session(SPLUNK_COMMANDS.sentrynetstat!, [
      getinfo('admin', ['timeout=5']),
      execute(guidsCsv(['web-01', '서버-02', 'nobody']), true),
    ]);
    expect(code).toBe(0);
    expect(answers).toHaveLength(2);
    expect(answers[0]!.metadata).toEqual({ type: 'stateful' });
    const [, last] = answers;
    expect(last!.metadata['finished']).toBe(true);
    const rows = last!.records;
    expect(rows.filter((r) => r['guid'] === 'web-01').map((r) => r['local_port'])).toEqual(['22', '80']);
    expect(rows.find((r) => r['guid'] === '서버-02')).toMatchObject({
      pid: '901',
      protocol: 'tcp',
      local_ip: '0.0.0.0',
      local_port: '5432',
      state: 'LISTEN',
    });
    expect(rows.find((r) => r['guid'] === 'nobody')).toMatchObject({ _error: 'not connected' });
    expect(rows).toHaveLength(4);
    const messages = inspectorMessages(last);
    expect(messages).toContainEqual(['INFO', 'sentrynetstat: 3 input records, 2 answered, 1 failed; 3 records']);
    expect(messages).toContainEqual(['WARN', 'sentrynetstat: 1 of 3 failed (see _error): not connected (1)']);
  });

  it('detail=t adds the detail fields, owners as a multivalue field; detail=yes is 23106', async () => {
    const detailed = [
      { guid: 'web-01', connections: [{ ...listening(812, 22), process: 'sshd', owners: [812, 813], uid: 0, inode: 7, netns: 9 }] },
    ];
    const { code, answers } = await session(
      SPLUNK_COMMANDS.sentrynetstat!,
      [getinfo('admin', ['detail=t']), execute(guidsCsv(['web-01']), true)],
      backend(detailed),
    );
    expect(code).toBe(0);
    const [row] = answers[1]!.records;
    expect(row).toMatchObject({ guid: 'web-01', pid: '812', process: 'sshd', uid: '0', inode: '7', netns: '9', container: '' });
    expect(row!['owners']).toEqual(['812', '813']);
    const plain = await session(SPLUNK_COMMANDS.sentrynetstat!, [getinfo('admin'), execute(guidsCsv(['web-01']), true)], backend(detailed));
    expect(Object.keys(plain.answers[1]!.records[0]!)).not.toContain('process');
    const bad = await session(SPLUNK_COMMANDS.sentrynetstat!, [getinfo('admin', ['detail=yes'])]);
    expect(bad.code).toBe(1);
    expect(bad.answers[0]!.metadata['error']).toBe('23106 Invalid detail option value. Use t or f. Got "yes".');
  });

  it('timeout=0 is 23101 in the getinfo answer, exit 1, nothing executed', async () => {
    const { code, answers } = await session(SPLUNK_COMMANDS.sentrynetstat!, [
      getinfo('admin', ['timeout=0']),
      execute(guidsCsv(['web-01']), true),
    ]);
    expect(code).toBe(1);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.metadata['error']).toBe('23101 Invalid sentry RPC timeout option value. Use a value between 1 and 600. Got "0".');
  });

  it('a user without the capability gets 23100; so does a name the scenario does not know', async () => {
    for (const user of ['analyst', 'mallory']) {
      const { code, answers } = await session(SPLUNK_COMMANDS.sentrynetstat!, [getinfo(user), execute(guidsCsv(['web-01']), true)]);
      expect(code).toBe(1);
      expect(answers.map((a) => a.metadata['error'])).toEqual(['23100 No permission to call sentry RPC.']);
    }
  });

  it('a getinfo-only session (splunkd probing) answers the configuration and exits 0 without connecting', async () => {
    let connected = 0;
    const probe = backend();
    const counting: SessionBackend = { ...probe, connect: (signal) => (connected++, probe.connect(signal)) };
    const { code, answers } = await session(SPLUNK_COMMANDS.sentrynetstat!, [getinfo('admin')], counting);
    expect(code).toBe(0);
    expect(answers.map((a) => a.metadata)).toEqual([{ type: 'stateful' }]);
    expect(connected).toBe(0);
  });

  it('answers each execute chunk once, finished mirrored, and every record comes out once across the answers', async () => {
    const { code, answers } = await session(SPLUNK_COMMANDS.sentrynetstat!, [
      getinfo('admin'),
      execute(guidsCsv(['web-01']), false),
      execute(guidsCsv(['서버-02', 'nobody']), false),
      execute('', true),
    ]);
    expect(code).toBe(0);
    expect(answers.map((a) => a.metadata['finished'])).toEqual([undefined, false, false, true]);
    const all = answers.slice(1).flatMap((a) => a.records);
    expect(all.map((r) => r['guid']).sort()).toEqual(['nobody', 'web-01', 'web-01', '서버-02']);
  });

  it('splunkd closing stdin before finished (a cancelled search) stops the calls in flight at once', async () => {
    const pipes = new SessionPipes();
    const done = runSplunkSession({
      command: SPLUNK_COMMANDS.sentrynetstat!,
      backend: backend(),
      input: pipes.input,
      output: pipes.output,
    });
    pipes.input.write(getinfo('admin'));
    pipes.input.write(execute(guidsCsv(['slow']), false));
    await pipes.waitFor(2);
    pipes.input.end();
    // The slow sentry answers in 10 minutes: the session ends long before, or the test times out.
    expect(await done).toBe(0);
  });

  it('an abort (SIGTERM) while splunkd keeps stdin open ends the session at once, exit 0', async () => {
    const { pipes, stop, done } = abortableSession();
    pipes.input.write(getinfo('admin'));
    pipes.input.write(execute(guidsCsv(['slow']), false));
    await pipes.waitFor(2);
    // Let the session reach its wait for the next chunk; stdin stays open (splunkd sends SIGTERM without closing it).
    await new Promise((resolve) => setTimeout(resolve, 100));
    stop.abort();
    expect(await done).toBe(0);
  }, 5000);

  it('an abort while the last chunk’s calls run: the last answer says the run was cancelled, not that sentries answered', async () => {
    const { pipes, stop, done } = abortableSession();
    pipes.input.write(getinfo('admin'));
    pipes.input.write(execute(guidsCsv(['slow']), true));
    await pipes.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    stop.abort();
    expect(await done).toBe(0);
    const last = pipes.answers()[1];
    expect(last!.metadata['finished']).toBe(true);
    expect(inspectorMessages(last)).toEqual([['WARN', 'sentrynetstat: cancelled after 1 input record; 0 records']]);
  }, 5000);

  it('a multivalue guid and an empty one come out with the reference page’s _error, other fields kept', async () => {
    const body = 'guid,host,__mv_guid,__mv_host\r\nweb-01,h1,"$web-01$;$x$",\r\n,h2,,\r\n';
    const { answers } = await session(SPLUNK_COMMANDS.sentrynetstat!, [getinfo('admin'), execute(body, true)]);
    const rows = answers[1]!.records;
    expect(rows.find((r) => r['host'] === 'h1')).toMatchObject({ _error: 'guid should be string', guid: ['web-01', 'x'] });
    expect(rows.find((r) => r['host'] === 'h2')).toMatchObject({ _error: 'guid should be non empty string' });
  });

  it('a field named __proto__ (single or multivalue) goes out with the failed record like any other field', async () => {
    const body = 'guid,__proto__,__mv___proto__,constructor\r\nghost,x,,c1\r\nghost2,"a\nb",$a$;$b$,c2\r\n';
    const { answers } = await session(SPLUNK_COMMANDS.sentrynetstat!, [getinfo('admin'), execute(body, true)]);
    const rows = answers[1]!.records;
    expect(rows.find((r) => r['guid'] === 'ghost')).toEqual(
      Object.assign(Object.create(null), { guid: 'ghost', ['__proto__']: 'x', constructor: 'c1', _error: 'not connected' }),
    );
    expect(rows.find((r) => r['guid'] === 'ghost2')?.['__proto__']).toEqual(['a', 'b']);
  });

  it('a body declared but missing is a clear error answer and exit 1', async () => {
    const cut = execute(guidsCsv(['web-01']), true).subarray(0, 45);
    const { code, answers } = await session(SPLUNK_COMMANDS.sentrynetstat!, [getinfo('admin'), cut]);
    expect(code).toBe(1);
    expect(answers.at(-1)!.metadata['error']).toMatch(/stream ended inside chunk 2/);
  });

  it('an execute before getinfo is refused with the reason', async () => {
    const { code, answers } = await session(SPLUNK_COMMANDS.sentrynetstat!, [execute(guidsCsv(['web-01']), true)]);
    expect(code).toBe(1);
    expect(answers[0]!.metadata['error']).toMatch(/first chunk must be getinfo, not execute/);
  });

  it('sentries that cannot be reached: each record says why in _error, the inspector has the ERROR', async () => {
    const down: SessionBackend = { ...backend(), connect: () => Promise.reject(new Error('no NATS server at tls://nats1:4222 answers')) };
    const { code, answers } = await session(
      SPLUNK_COMMANDS.sentrynetstat!,
      [getinfo('admin'), execute(guidsCsv(['web-01', 'x']), true)],
      down,
    );
    expect(code).toBe(0);
    expect(answers[1]!.records.map((r) => r['_error'])).toEqual([
      'the cluster is unreachable: no NATS server at tls://nats1:4222 answers',
      'the cluster is unreachable: no NATS server at tls://nats1:4222 answers',
    ]);
    expect(inspectorMessages(answers[1])).toContainEqual([
      'ERROR',
      'sentrynetstat: cannot reach the sentries: no NATS server at tls://nats1:4222 answers',
    ]);
  });
});

describe('a Splunk session of sonarsentrynetstat and sentrylist', () => {
  const nodes = [
    { name: 'dn1', sentries: [SENTRIES[0]!] },
    { name: 'dn2', sentries: [SENTRIES[1]!] },
  ];

  it('sonar adds the node; sentrynetstat on a search head with only nodes reaches them through the cluster', async () => {
    const clustered = scenarioBackend({ users, nodes });
    const sonar = await session(
      SPLUNK_COMMANDS.sonarsentrynetstat!,
      [getinfo('admin'), execute(guidsCsv(['web-01', '서버-02']), true)],
      clustered,
    );
    expect(sonar.answers[1]!.records.map((r) => [r['guid'], r['node']])).toEqual(
      expect.arrayContaining([
        ['web-01', 'dn1'],
        ['서버-02', 'dn2'],
      ]),
    );
    const plain = await session(SPLUNK_COMMANDS.sentrynetstat!, [getinfo('admin'), execute(guidsCsv(['서버-02']), true)], clustered);
    expect(plain.answers[1]!.records).toEqual([expect.objectContaining({ guid: '서버-02', local_port: '5432' })]);
    expect(plain.answers[1]!.records[0]).not.toHaveProperty('node');
  });

  it('sentrylist is generating and pages by maxresultrows, finished false until the last page', async () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ guid: `h${i}`, connected: i !== 3 }));
    const pipes = new SessionPipes();
    const done = runSplunkSession({
      command: SPLUNK_COMMANDS.sentrylist!,
      backend: backend(many),
      input: pipes.input,
      output: pipes.output,
    });
    pipes.input.write(getinfo('admin', [], { maxresultrows: 2 }));
    // splunkd sends the next empty execute only after reading an answer with finished: false.
    for (let answered = 2; answered <= 4; answered++) {
      pipes.input.write(execute('', false));
      await pipes.waitFor(answered);
    }
    pipes.input.end();
    expect(await done).toBe(0);
    const answers = pipes.answers();
    expect(answers[0]!.metadata).toEqual({ generating: true, type: 'stateful' });
    expect(answers.slice(1).map((a) => [a.records.length, a.metadata['finished']])).toEqual([
      [2, false],
      [2, false],
      [1, true],
    ]);
    const listed = answers.slice(1).flatMap((a) => a.records);
    expect(listed.map((r) => [r['guid'], r['connected']])).toEqual([
      ['h0', 'true'],
      ['h1', 'true'],
      ['h2', 'true'],
      ['h3', 'false'],
      ['h4', 'true'],
    ]);
  });

  it('sentrylist when the sentries cannot be reached: the search’s error with the reason, exit 1 (not an empty list)', async () => {
    const down: SessionBackend = { ...backend(), connect: () => Promise.reject(new Error('no NATS server at tls://nats1:4222 answers')) };
    const { code, answers } = await session(SPLUNK_COMMANDS.sentrylist!, [getinfo('admin'), execute('', true)], down);
    expect(code).toBe(1);
    expect(answers[1]!.metadata['error']).toBe('sentrylist: cannot reach the sentries: no NATS server at tls://nats1:4222 answers');
    expect(answers[1]!.records).toEqual([]);
  });

  it('sentrylist needs the capability too (it lists the fleet through the cluster’s credentials)', async () => {
    const { code, answers } = await session(SPLUNK_COMMANDS.sentrylist!, [getinfo('analyst'), execute('', true)]);
    expect(code).toBe(1);
    expect(answers[0]!.metadata['error']).toBe('23100 No permission to call sentry RPC.');
  });

  it('metadata that breaks the protocol is answered with the reason, never a crash', async () => {
    const { code, answers } = await session(SPLUNK_COMMANDS.sentrylist!, [encodeChunk({ action: 'dance' })]);
    expect(code).toBe(1);
    expect(answers[0]!.metadata['error']).toMatch(/breaks the protocol/);
  });
});
