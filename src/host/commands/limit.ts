import { ERRORS } from '../../errors/codes.js';
import type { CommandContext, CommandHelp, CommandParser, QueryCommand } from '../../runtime/command.js';
import type { Row } from '../../runtime/value.js';
import { parseArguments } from '../expression/parse-arguments.js';
import { builtinProperties } from './builtin-properties.js';

const help: CommandHelp = {
  description: 'Passes on the first N records, then stops the commands before it.',
  syntax: 'limit N',
  properties: builtinProperties('transforming', { perRecord: false }),
  options: [],
  inputFields: [],
  outputFields: [],
  runtimeErrors: [],
};

class LimitCommand implements QueryCommand {
  readonly #max: number;
  #passed = 0;
  #finished = false;
  #ctx: CommandContext | undefined;

  constructor(max: number) {
    this.#max = max;
  }

  onStart(ctx: CommandContext): void {
    this.#ctx = ctx;
    if (this.#max === 0) this.#finish();
  }

  async onPush(row: Row): Promise<void> {
    // Records already in flight when upstream was stopped are dropped.
    if (this.#passed >= this.#max) return;
    this.#passed++;
    // Stop upstream before handing over the last record, so no more work is started meanwhile.
    if (this.#passed === this.#max) this.#finish();
    await this.#ctx?.emit(row);
  }

  onClose(): void {}

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#ctx?.finishUpstream();
  }
}

/**
 * `limit N`: passes on the first `N` records (N ≥ 0), then calls `finishUpstream` so the commands before it
 * stop (closed with `limit`).
 *
 * @example
 * ```ts
 * await host.query('sentry | limit 1');
 * ```
 */
export const limitCommand: CommandParser = Object.freeze<CommandParser>({
  name: 'limit',
  help,
  errors: [ERRORS.INVALID_ARGUMENTS],
  parse: (_ctx, argText) => new LimitCommand(parseArguments('limit', argText, 'Limit')),
});
