import type { AgentLog } from './agent-log.js';

/** Says once, at start, when the pids of other users' processes will be null (src/agent/pid-visibility.ts). */
export async function warnIfPidsHidden(log: AgentLog): Promise<void> {
  const { currentPidVisibility, pidVisibilityWarning } = await import('../agent/pid-visibility.js');
  const warning = pidVisibilityWarning(await currentPidVisibility());
  if (warning !== undefined) log('warn', 'pids-hidden', `warning: ${warning}`);
}
