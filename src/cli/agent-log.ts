/**
 * What a running agent tells its operator: one plain line per event on a terminal (`--log-format text`, the
 * default), or the node's structured lines (`--log-format json`, src/cli/logger.ts) for a service whose log is
 * collected (journald, a log shipper), with levels and `--log-level`.
 *
 * @module
 */
import type { CliIo } from './cli-io.js';
import { jsonLinesLogger, type LogLevel } from './logger.js';

/** The agent's log formats. */
export const AGENT_LOG_FORMATS = ['text', 'json'] as const;

/** One of {@link AGENT_LOG_FORMATS}. */
export type AgentLogFormat = (typeof AGENT_LOG_FORMATS)[number];

/** Logs one agent event: its level, its name, the line a person reads, and its fields for the JSON form. */
export type AgentLog = (level: LogLevel, event: string, text: string, fields?: Readonly<Record<string, unknown>>) => void;

/**
 * The agent's log on `io.stderr`. Text lines carry the text as it was always printed; JSON lines carry `event`, `detail` (the text) and the fields, with the agent's guid.
 */
export function agentLog(format: AgentLogFormat, level: LogLevel, guid: string, io: CliIo): AgentLog {
  if (format === 'text') {
    return (_level, _event, text) => void io.stderr.write(`${text}\n`);
  }
  const logger = jsonLinesLogger({ write: (line) => void io.stderr.write(line), level, fields: { guid } });
  return (eventLevel, event, text, fields) => logger.log(eventLevel, { event, detail: text, ...fields });
}
