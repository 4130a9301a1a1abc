import type { CommandHelp, CommandType } from '../../runtime/command.js';

/**
 * The help properties every built-in shares: no permission needed, no license use. A command that works one
 * record at a time (`perRecord`) can run in parallel and on data nodes; the others need all their input in one
 * place.
 */
export function builtinProperties(commandType: CommandType, { perRecord }: { perRecord: boolean }): CommandHelp['properties'] {
  return {
    commandType,
    requiredPermission: 'none',
    licenseUsage: 'N/A',
    parallelExecution: perRecord,
    distributedExecution: perRecord,
  };
}
