import type { StopReason } from '../runtime/command.js';
import type { Row } from '../runtime/value.js';
import { SPLUNK_DEFAULT_MAX_RESULT_ROWS, SPLUNK_SUMMARY_ERROR_KINDS } from '../rpc/limits.js';
import type { InspectorMessage } from './chunked-protocol.js';

/**
 * What a Splunk command run did, for the job inspector (`inspector.messages` of the last answer): how many
 * records it read and wrote, how many failed and why, and whether the sentries could be reached at all. An
 * operator looking at a short result then sees at once whether sentries failed, and which way.
 */
export class RunSummary {
  /** splunkd's `maxresultrows`: at most this many records an answer of a generating command. */
  maxResultRows = SPLUNK_DEFAULT_MAX_RESULT_ROWS;
  readonly #command: string;
  #pushed = 0;
  #rows = 0;
  #failed = 0;
  readonly #failures = new Map<string, number>();
  #unreachable: string | undefined;
  #cancelled = false;

  constructor(command: string) {
    this.#command = command;
  }

  /** Why the backend could not connect, if it could not (a generating command then answers with that error). */
  get unreachableReason(): string | undefined {
    return this.#unreachable;
  }

  /** A record the command emitted. */
  record(row: Row): void {
    const error = row['_error'];
    if (typeof error === 'string') {
      this.#failed++;
      this.#failures.set(error, (this.#failures.get(error) ?? 0) + 1);
    } else {
      this.#rows++;
    }
  }

  /** The command ended, having read `pushed` records, for `reason` (`cancel`: stopped before its calls were all answered). */
  ended(pushed: number, reason: StopReason = 'end'): void {
    this.#pushed = pushed;
    this.#cancelled = reason === 'cancel';
  }

  /** The backend could not connect, for `reason`. */
  unreachable(reason: string): void {
    this.#unreachable = reason;
  }

  /** The messages of the last answer. */
  messages(): InspectorMessage[] {
    const messages: InspectorMessage[] = [];
    if (this.#unreachable !== undefined) messages.push(['ERROR', `${this.#command}: cannot reach the sentries: ${this.#unreachable}`]);
    const records = `${this.#rows} ${this.#rows === 1 ? 'record' : 'records'}`;
    if (this.#cancelled) {
      // Calls still in flight were aborted: "answered" would count them as if they had answered with nothing.
      messages.push([
        'WARN',
        `${this.#command}: cancelled after ${this.#pushed} input ${this.#pushed === 1 ? 'record' : 'records'}; ${records}`,
      ]);
      return messages;
    }
    if (this.#pushed === 0 && this.#failed === 0) {
      messages.push(['INFO', `${this.#command}: ${records}`]);
      return messages;
    }
    const answered = this.#pushed - this.#failed;
    messages.push([
      'INFO',
      `${this.#command}: ${this.#pushed} input ${this.#pushed === 1 ? 'record' : 'records'}, ${answered} answered, ${this.#failed} failed; ${records}`,
    ]);
    if (this.#failed > 0) {
      const kinds = [...this.#failures].sort((a, b) => b[1] - a[1]);
      const shown = kinds.slice(0, SPLUNK_SUMMARY_ERROR_KINDS).map(([error, count]) => `${error} (${count})`);
      const more = kinds.length > shown.length ? `, and ${kinds.length - shown.length} other errors` : '';
      messages.push(['WARN', `${this.#command}: ${this.#failed} of ${this.#pushed} failed (see _error): ${shown.join(', ')}${more}`]);
    }
    return messages;
  }
}
