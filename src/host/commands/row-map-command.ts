import type { CommandContext, QueryCommand } from '../../runtime/command.js';
import type { Row } from '../../runtime/value.js';

/**
 * A stateless command that turns each record into at most one record (`undefined` drops it): the shape of
 * `search`, `eval` and `fields`, written once.
 */
export class RowMapCommand implements QueryCommand {
  readonly #map: (row: Row) => Row | undefined;
  #ctx: CommandContext | undefined;

  constructor(map: (row: Row) => Row | undefined) {
    this.#map = map;
  }

  onStart(ctx: CommandContext): void {
    this.#ctx = ctx;
  }

  async onPush(row: Row): Promise<void> {
    const out = this.#map(row);
    if (out !== undefined) await this.#ctx?.emit(out);
  }

  onClose(): void {}
}
