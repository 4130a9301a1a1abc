/**
 * Whole Splunk sessions through the real `sentry-query splunk` process: chunks on its stdin as splunkd writes them,
 * its answers read back from stdout, its exit code as splunkd sees it.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/child-cli.js';
import { execute, getinfo, guidsCsv, inspectorMessages, readAnswers, runSplunkProcess } from '../helpers/splunk-session.js';

const dir = mkdtempSync(join(tmpdir(), 'sentry-splunk-'));
const scenario = join(dir, 'scenario.json');
writeFileSync(
  scenario,
  JSON.stringify({
    users: { admin: { admin: true }, analyst: { admin: false } },
    sentries: [
      {
        guid: 'web-01',
        connections: [
          { pid: 812, protocol: 'tcp', local_ip: '0.0.0.0', local_port: 22, remote_ip: '0.0.0.0', remote_port: 0, state: 'LISTEN' },
        ],
      },
      {
        guid: 'データ-01',
        connections: [
          {
            pid: 77,
            protocol: 'tcp6',
            local_ip: '::',
            local_port: 443,
            remote_ip: '::ffff:10.0.0.9',
            remote_port: 51000,
            state: 'ESTABLISHED',
          },
        ],
      },
    ],
  }),
);

const splunk = runSplunkProcess;

describe('sentry-query splunk --scenario (a whole session, a real process)', () => {
  it('getinfo + execute with guids: the rows (non-ASCII guid and IPv6 intact), not connected for an unknown guid, exit 0', async () => {
    const run = await splunk(
      ['sentrynetstat', '--scenario', scenario],
      [getinfo('admin', ['timeout=5']), execute(guidsCsv(['web-01', 'データ-01', 'ghost']), true)],
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.answers[0]!.metadata).toEqual({ type: 'stateful' });
    const rows = run.answers[1]!.records;
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ guid: 'web-01', pid: '812', local_port: '22', state: 'LISTEN' }),
        expect.objectContaining({
          guid: 'データ-01',
          protocol: 'tcp6',
          local_ip: '::',
          remote_ip: '::ffff:10.0.0.9',
          remote_port: '51000',
        }),
        expect.objectContaining({ guid: 'ghost', _error: 'not connected' }),
      ]),
    );
    expect(rows).toHaveLength(3);
    expect(run.answers[1]!.metadata['finished']).toBe(true);
    expect(inspectorMessages(run.answers[1]).map(([level]) => level)).toEqual(['INFO', 'WARN']);
  });

  it('timeout=0: 23101 in the getinfo answer, exit 1', async () => {
    const run = await splunk(
      ['sentrynetstat', '--scenario', scenario],
      [getinfo('admin', ['timeout=0']), execute(guidsCsv(['web-01']), true)],
    );
    expect(run.code).toBe(1);
    expect(run.answers).toHaveLength(1);
    expect(run.answers[0]!.metadata['error']).toMatch(/^23101 Invalid sentry RPC timeout option value\. Use a value between 1 and 600\./);
  });

  it('a Splunk user who is not an admin in the scenario: 23100, exit 1; for sonar too', async () => {
    for (const command of ['sentrynetstat', 'sonarsentrynetstat']) {
      const run = await splunk([command, '--scenario', scenario], [getinfo('analyst'), execute(guidsCsv(['web-01']), true)]);
      expect(run.code).toBe(1);
      expect(run.answers.map((a) => a.metadata['error'])).toEqual(['23100 No permission to call sentry RPC.']);
    }
  });

  it('sentrylist lists the scenario’s sentries, generating', async () => {
    const run = await splunk(['sentrylist', '--scenario', scenario], [getinfo('admin'), execute('', true)]);
    expect(run.code).toBe(0);
    expect(run.answers[0]!.metadata).toEqual({ generating: true, type: 'stateful' });
    expect(run.answers[1]!.records.map((r) => r['guid'])).toEqual(['web-01', 'データ-01']);
  });

  it('an unknown command is answered on the protocol (Splunk shows it) and on stderr (search.log), exit 1', async () => {
    const run = await splunk(['sentrynetstats', '--scenario', scenario], [getinfo('admin')]);
    expect(run.code).toBe(1);
    expect(run.answers[0]!.metadata['error']).toBe(
      'unknown Splunk command "sentrynetstats": the app has sentrynetstat, sonarsentrynetstat, sentrylist',
    );
    expect(run.stderr).toContain('unknown Splunk command');
  });

  it('without --scenario, an app whose sentry.conf names no cluster says what to set, on the protocol', async () => {
    const app = join(dir, 'sentry_netstat');
    mkdirSync(join(app, 'default'), { recursive: true });
    writeFileSync(join(app, 'default', 'sentry.conf'), '[cluster]\nnats_url =\n\n[command]\nrpc_parallel = 100\n');
    const run = await splunk(['sentrynetstat', '--app-dir', app], [getinfo('admin')]);
    expect(run.code).toBe(1);
    expect(run.answers[0]!.metadata['error']).toMatch(/no cluster configured: set nats_url .* in \[cluster\] of .*local\/sentry\.conf/);
  });

  it('SIGTERM while splunkd keeps stdin open: the calls stop and the process exits 0 at once', async () => {
    const slow = join(dir, 'slow.json');
    writeFileSync(
      slow,
      JSON.stringify({ users: { admin: { admin: true } }, sentries: [{ guid: 'slow', delay_ms: 600_000, connections: [] }] }),
    );
    const child = spawn(process.execPath, [BIN, 'splunk', 'sentrynetstat', '--scenario', slow], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const answered = new Promise<void>((resolve) =>
      child.stdout.on('data', (b: Buffer) => {
        out.push(b);
        if (readAnswers(Buffer.concat(out)).length === 2) resolve();
      }),
    );
    child.stdin.write(getinfo('admin'));
    child.stdin.write(execute(guidsCsv(['slow']), false)); // stdin stays open, as splunkd leaves it
    await answered;
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    const code = await exited;
    clearTimeout(timer);
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });

  it('the example of `sentry-query splunk --help` works as printed', async () => {
    const help = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [BIN, 'splunk', '--help'], (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    const lines = help.split('\n');
    const start = lines.findIndex((l) => l.trim().startsWith('{ printf'));
    const example = lines
      .slice(start, start + 3)
      .join('\n')
      .replace('sentry-query', `"${process.execPath}" "${BIN}"`)
      .replace('examples/fleet.json', join(import.meta.dirname, '..', '..', 'examples', 'fleet.json'));
    const stdout = await new Promise<Buffer>((resolve, reject) =>
      execFile('sh', ['-c', example], { encoding: 'buffer' }, (error, out) => (error ? reject(error) : resolve(out))),
    );
    const answers = readAnswers(stdout);
    expect(answers).toHaveLength(2);
    expect(answers[1]!.records.length).toBeGreaterThan(0);
    expect(answers[1]!.records.every((r) => r['guid'] === 'web-01' && r['_error'] === undefined)).toBe(true);
  });
});
