// An agent that cannot see other users' pids says so once at start. The rule is tested as a function (these
// tests may run as root); the line itself from a real `agent --once` child run as an unprivileged user.
import { execFile } from 'node:child_process';
import { platform } from 'node:os';
import { describe, expect, it } from 'vitest';
import { pidVisibilityWarning } from '../../src/agent/pid-visibility.js';
import { BIN } from '../helpers/child-cli.js';

const PTRACE_AND_DAC = (1n << 19n) | (1n << 2n);

describe('pidVisibilityWarning', () => {
  it('warns a non-root agent on Linux without CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH, saying how to fix it', () => {
    for (const effectiveCapabilities of [0n, 1n << 19n, 1n << 2n, undefined]) {
      expect(pidVisibilityWarning({ platform: 'linux', uid: 1000, effectiveCapabilities })).toBe(
        "running as uid 1000 without CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH: sockets of other users' processes get pid null. " +
          'Run the agent as root, or give it both capabilities (systemd: AmbientCapabilities=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH)',
      );
    }
  });

  it('is quiet for root, for an agent with both capabilities, and off Linux', () => {
    expect(pidVisibilityWarning({ platform: 'linux', uid: 0, effectiveCapabilities: 0n })).toBeUndefined();
    expect(pidVisibilityWarning({ platform: 'linux', uid: 1000, effectiveCapabilities: PTRACE_AND_DAC })).toBeUndefined();
    expect(pidVisibilityWarning({ platform: 'darwin', uid: 501, effectiveCapabilities: undefined })).toBeUndefined();
  });
});

/** `agent --once` as `uid` (root can switch; anyone else runs as themselves): how it ended and its stderr. */
function once(uid: number | undefined): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'agent', '--once', '--format', 'jsonl'],
      { timeout: 15_000, maxBuffer: 64 * 1024 * 1024, ...(uid !== undefined && { uid, gid: uid }) },
      (error, _stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
    );
  });
}

describe.runIf(platform() === 'linux')('agent --once as an unprivileged user', () => {
  it('prints one warning line on stderr, then the records', async () => {
    const root = process.geteuid?.() === 0;
    const result = await once(root ? 65534 : undefined);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n').filter((l) => l.startsWith('warning: running as uid'))).toHaveLength(1);
    expect(result.stderr).toMatch(/AmbientCapabilities=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH\)\n/);
  });

  it.runIf(process.geteuid?.() === 0)('as root: no warning', async () => {
    expect((await once(undefined)).stderr).not.toMatch(/warning: running as uid/);
  });
});
