import type { CommandParser } from '../../runtime/command.js';
import { evalCommand } from './eval.js';
import { fieldsCommand } from './fields.js';
import { jsonCommand } from './json.js';
import { limitCommand } from './limit.js';
import { searchCommand } from './search.js';
import { sentryCommand } from './sentry.js';
import { sortCommand } from './sort.js';
import { statsCommand } from './stats.js';
import { dedupCommand } from './dedup.js';
import { renameCommand } from './rename.js';
import { topCommand } from './top.js';
import { whereCommand } from './where.js';

/** The commands every host has: the drivers `sentry` and `json`, then the rest in pipeline order of use. */
export const builtinCommands: readonly CommandParser[] = Object.freeze([
  sentryCommand,
  jsonCommand,
  fieldsCommand,
  searchCommand,
  whereCommand,
  evalCommand,
  renameCommand,
  dedupCommand,
  statsCommand,
  topCommand,
  sortCommand,
  limitCommand,
]);
