// The bin's one failure path: whatever goes wrong reaches the user as one `error: …` line and exit 1, never a
// stack trace (before, `agent --connect HOST:PORT` without a scheme printed Node's stack and exit 1 by crash).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageOf } from '../../src/cli/message-of.js';

const bin = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'failure-path-'));
  await writeFile(join(dir, 'agent.key'), `${'k'.repeat(20)}\n`, { mode: 0o600 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 15_000 }, (error, _stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
    );
  });
}

describe('sentry-query failures', () => {
  it('an agent URL without a scheme is one line and exit 1, no stack trace', async () => {
    const { code, stderr } = await run(['agent', '--connect', '127.0.0.1:20443', '--guid', 'x', '--key-file', join(dir, 'agent.key')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: .*127\.0\.0\.1:20443.*\n$/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('SENTRY_QUERY_DEBUG=1 adds the stack, for whoever debugs the CLI', async () => {
    const { stderr } = await run(['agent', '--connect', '127.0.0.1:20443', '--guid', 'x', '--key-file', join(dir, 'agent.key')], {
      SENTRY_QUERY_DEBUG: '1',
    });
    expect(stderr).toMatch(/\n\s+at /);
  });
});

describe('messageOf', () => {
  it('is the message on one line, whatever was thrown', () => {
    expect(messageOf(new Error('a\n  b'), {})).toBe('a b');
    expect(messageOf('text', {})).toBe('text');
    expect(messageOf(42, {})).toBe('42');
    expect(messageOf(new TypeError(''), {})).toBe('TypeError');
  });
});
