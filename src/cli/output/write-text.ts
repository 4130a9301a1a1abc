import type { Writable } from 'node:stream';

/**
 * Writes `text` and resolves when the stream can take more: at once when `write` returned true, else on
 * `drain`. Also resolves when the stream is closed or failed (a reader that went away must not hang us).
 * (A module of its own so that `agent --once` can write without loading the record machinery.)
 */
export function writeText(stream: Writable, text: string): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  if (stream.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
