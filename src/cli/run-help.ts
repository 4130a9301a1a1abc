import type { CliIo } from './cli-io.js';
import { EXIT } from './exit-codes.js';
import { MODES, modeNamed } from './modes.js';

/**
 * `sentry-query help [MODE]`: the help page of MODE (`agent`, `node`, …), or of the query mode without one (or
 * with `query`). An unknown MODE is one line naming the modes, exit 1.
 */
export async function runHelp(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const mode = modeNamed(name);
  if (rest.length > 0 || (name !== undefined && name !== 'query' && !mode)) {
    const names = ['query', ...Object.keys(MODES)].join(', ');
    io.stderr.write(`error: sentry-query help takes one mode, one of: ${names} (got '${argv.join(' ')}')\n`);
    return EXIT.failure;
  }
  if (mode) return (await mode.load())(['--help'], io);
  return (await import('./run-cli.js')).runCli(['--help'], io);
}
