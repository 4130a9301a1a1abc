import { parsePipeline } from '../../host/pipeline.js';
import type { CommandParser } from '../../runtime/command.js';
import { optionIsTrue } from '../../runtime/option-list.js';

/** Built-in commands whose records are their input records, unchanged: the fields come from further up. */
const PASS_THROUGH = new Set(['search', 'sort', 'limit']);

/**
 * The fields a query's records can have, known before any record, from the help of the command that makes
 * them: the last command, or the one before a run of `search`, `sort`, `limit`. Known only for a driver or a
 * transforming command that lists its output fields (sentry, sentry-netstat, sonar-sentry-netstat); `_error`
 * always comes last. A field only some options bring (sentry-netstat's detail fields: `onlyWith`) is counted when
 * the command's text gives that option as true (`detail=t`). `undefined` when they cannot be known (`fields`, `eval`, `stats`, `json`: they depend on
 * the arguments or the data), or when the query does not parse (the host reports that).
 */
export function knownOutputFields(query: string, commands: ReadonlyMap<string, CommandParser>): string[] | undefined {
  let segments;
  try {
    segments = parsePipeline(query);
  } catch {
    return undefined;
  }
  for (let i = segments.length - 1; i >= 0; i--) {
    const name = segments[i]!.name;
    if (PASS_THROUGH.has(name)) continue;
    const help = commands.get(name)?.help;
    if (!help || help.outputFields.length === 0) return undefined;
    if (help.properties.commandType !== 'driver' && help.properties.commandType !== 'transforming') return undefined;
    const segment = segments[i]!;
    const names = help.outputFields
      .filter((f) => f.name !== '_error' && (f.onlyWith === undefined || optionIsTrue(segment.args, f.onlyWith)))
      .map((f) => f.name);
    return [...names, '_error'];
  }
  return undefined;
}
