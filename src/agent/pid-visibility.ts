/**
 * Whether this agent can see the pid of every socket. On Linux a socket's owner is found through
 * /proc/PID/fd: listing another user's fd directory takes CAP_DAC_READ_SEARCH and reading its links
 * CAP_SYS_PTRACE (root has both). Without them, sockets of other users' processes come with pid null, which an
 * operator should hear once at start rather than discover in the records.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';

/** What decides pid visibility; read from the process by {@link currentPidVisibility}, given by tests. */
export interface PidVisibility {
  /** `process.platform`. */
  readonly platform: NodeJS.Platform;
  /** The effective uid (`process.geteuid()`), if the platform has one. */
  readonly uid: number | undefined;
  /** The effective capability set (`CapEff` of /proc/self/status), if it could be read. */
  readonly effectiveCapabilities: bigint | undefined;
}

const CAP_DAC_READ_SEARCH = 2n;
const CAP_SYS_PTRACE = 19n;

/** This process's {@link PidVisibility}. */
export async function currentPidVisibility(): Promise<PidVisibility> {
  const uid = process.geteuid?.();
  if (process.platform !== 'linux') return { platform: process.platform, uid, effectiveCapabilities: undefined };
  let effectiveCapabilities: bigint | undefined;
  try {
    const hex = /^CapEff:\s*([0-9a-f]+)$/im.exec(await readFile('/proc/self/status', 'utf8'))?.[1];
    effectiveCapabilities = hex === undefined ? undefined : BigInt(`0x${hex}`);
  } catch {
    effectiveCapabilities = undefined;
  }
  return { platform: process.platform, uid, effectiveCapabilities };
}

/**
 * The one warning line (without `warning: `) when pids of other users' processes will be hidden: on Linux, not
 * root and without both capabilities. Undefined when every pid can be seen, or off Linux (where the collector
 * is systeminformation's, with its own rules).
 */
export function pidVisibilityWarning(v: PidVisibility): string | undefined {
  if (v.platform !== 'linux' || v.uid === undefined || v.uid === 0) return undefined;
  const has = (cap: bigint): boolean => v.effectiveCapabilities !== undefined && ((v.effectiveCapabilities >> cap) & 1n) === 1n;
  if (has(CAP_DAC_READ_SEARCH) && has(CAP_SYS_PTRACE)) return undefined;
  return (
    `running as uid ${v.uid} without CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH: sockets of other users' processes get pid null. ` +
    'Run the agent as root, or give it both capabilities (systemd: AmbientCapabilities=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH)'
  );
}
