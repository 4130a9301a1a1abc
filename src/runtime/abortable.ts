import { onAbort } from './abort-listeners.js';

/**
 * Settles like `promise`, or rejects with the signal's reason as soon as `signal` aborts, whichever is first.
 * Used so that a cancelled query stops waiting even on a connector that ignores its signal; the listener is
 * removed once settled, so nothing stays attached to a long-lived signal.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const stop = onAbort(signal, () => reject(signal.reason));
    promise.then(
      (value) => {
        stop();
        resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}
