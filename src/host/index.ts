/**
 * The query host: {@link Host} (users, config, sentries, the query engine with its built-in commands, saved
 * searches), the engine's parts (planQuery, QueryExecution, parsePipeline), and {@link driveCommand}, which
 * runs one command inside a foreign host.
 *
 * @packageDocumentation
 */
export { Host, type HostOptions, type HostUser } from './host.js';
export { NO_SENTRIES } from './no-sentries.js';
export { type QueryStarter, type RunOptions, type QueryRun } from './query-starter.js';
export { planQuery, type PlannedCommand } from './query-plan.js';
export { QueryExecution, type QueryOutcome, type RecordSink, type ExecutionEnvironment } from './query-execution.js';
export { parsePipeline } from './pipeline.js';
export type { PipelineSegment } from './query-ast.js';
export { SavedSearchScheduler, type SavedSearch, type SavedSearchRun } from './saved-search-scheduler.js';
export { driveCommand, type DriveCommandOptions, type DriveOutcome, type RecordSource } from './drive-command.js';
export { builtinCommands } from './commands/builtin-commands.js';
export { sentryCommand } from './commands/sentry.js';
export { jsonCommand } from './commands/json.js';
export { fieldsCommand } from './commands/fields.js';
export { searchCommand } from './commands/search.js';
export { evalCommand } from './commands/eval.js';
export { statsCommand } from './commands/stats.js';
export { sortCommand } from './commands/sort.js';
export { limitCommand } from './commands/limit.js';
export { whereCommand } from './commands/where.js';
export { renameCommand } from './commands/rename.js';
export { dedupCommand } from './commands/dedup.js';
export { topCommand } from './commands/top.js';
