// The fan-out's progress on a terminal's stderr: a line redrawn 4 times a second while sentries are awaited,
// erased at the end, then a one-line summary; nothing of it when stderr is not a terminal. runCli in this
// process, with fake timers (the scenario's sentries answer on them too).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { connection } from '../helpers/fleet.js';

/** A stream that keeps what is written, optionally posing as a terminal. */
class Capture extends Writable {
  text = '';
  #onWrite: () => void = () => undefined;
  constructor(readonly isTTY: boolean) {
    super();
  }
  /** Resolves once something was written. */
  written(): Promise<void> {
    return new Promise((resolve) => (this.#onWrite = resolve));
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.#onWrite();
    done();
  }
}

const CLEAR_LINE = '\r\x1b[K';
let dir: string;
let scenario: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sentry-query-progress-'));
  scenario = join(dir, 'fleet.json');
  const sentries = [
    { guid: 'fast', delay_ms: 0, connections: [connection({ pid: 1 })] },
    { guid: 'slow', delay_ms: 2_000, connections: [connection({ pid: 2 })] },
    { guid: 'down', connected: false },
  ];
  await writeFile(scenario, JSON.stringify({ sentries }));
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(stderrIsTTY: boolean): Promise<{ code: number; stderr: Capture; progressWhileSlow: string }> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  const stdout = new Capture(false);
  const stderr = new Capture(stderrIsTTY);
  const firstRecord = stdout.written();
  const done = runCli(['--scenario', scenario, 'sentry | fields guid | sentry-netstat'], { stdout, stderr });
  await firstRecord; // the fast sentry answered; the slow one is awaited
  await vi.advanceTimersByTimeAsync(300);
  const progressWhileSlow = stderr.text;
  await vi.advanceTimersByTimeAsync(2_000);
  return { code: await done, stderr, progressWhileSlow };
}

describe('progress on a terminal', () => {
  it('redraws "A of N sentries answered, E errors, O outstanding", erases it, then prints the summary', async () => {
    const { code, stderr, progressWhileSlow } = await run(true);
    expect(code).toBe(0);
    expect(progressWhileSlow).toBe(`${CLEAR_LINE}1 of 3 sentries answered, 1 error, 1 outstanding`);
    // Erased before the summary, so the summary is a line of its own.
    const [beforeSummary, summary] = [
      stderr.text.slice(0, stderr.text.lastIndexOf(CLEAR_LINE)),
      stderr.text.slice(stderr.text.lastIndexOf(CLEAR_LINE)),
    ];
    expect(beforeSummary).toContain('outstanding');
    expect(summary).toMatch(/^\r.\[K3 sentries: 2 answered, 1 error, in 2\.\d s\n$/);
    const redraws = stderr.text.split(CLEAR_LINE).filter((part) => part.includes('outstanding'));
    // 4 a second over about 2.3 s: bounded, not one per record or per millisecond.
    expect(redraws.length).toBeGreaterThanOrEqual(2);
    expect(redraws.length).toBeLessThanOrEqual(10);
  });

  it('prints nothing of it when stderr is not a terminal (a script reads the records and their _error)', async () => {
    const { code, stderr, progressWhileSlow } = await run(false);
    expect(code).toBe(0);
    expect(progressWhileSlow).toBe('');
    expect(stderr.text).toBe('');
  });
});
