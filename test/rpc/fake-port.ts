/** An in-memory frame port for the channel tests: records what is sent and how it was closed. */
import type { FramePort } from '../../src/rpc/frame-port.js';

export class FakePort implements FramePort {
  readonly sent: string[] = [];
  closed: { code: number; reason: string } | undefined;
  /** Where sent frames go as well (another channel's receive), for back-to-back pairs. */
  peer: ((text: string) => void) | undefined;

  send(text: string): void {
    if (this.closed) throw new Error('closed');
    this.sent.push(text);
    this.peer?.(text);
  }

  close(code: number, reason: string): void {
    this.closed ??= { code, reason };
  }

  /** The sent frames, parsed. */
  frames(): Record<string, unknown>[] {
    return this.sent.map((text) => JSON.parse(text) as Record<string, unknown>);
  }
}
