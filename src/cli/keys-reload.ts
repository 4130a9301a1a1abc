/**
 * The node's keys file read again on SIGHUP: added sentries may connect at once, removed ones and ones with a
 * new key lose their link (`WebSocketConnector.replaceKeys`). A file that cannot be used changes nothing: the
 * keys in force stay, and the log says why.
 *
 * SIGHUP only, no file watcher: an editor or `mv` replaces the file in several steps (a watcher would see a
 * half-written file or lose the watch on the old inode), whereas a signal comes when the operator says the file
 * is ready, as with sshd or nginx.
 *
 * @module
 */
import { readKeysFile } from '../connector/key-file.js';
import type { WebSocketConnector } from '../connector/websocket-connector.js';
import { messageOf } from './message-of.js';

/** What a reload logs: `keys-reloaded` with its counts, or `keys-reload-failed` with why. */
export interface KeysReloadEvent {
  /** `keys-reloaded` or `keys-reload-failed`. */
  readonly event: 'keys-reloaded' | 'keys-reload-failed';
  /** What changed, or why the file was not used. */
  readonly detail: string;
  /** Guids that got a key. */
  readonly added?: number;
  /** Guids whose key is gone (their links closed). */
  readonly removed?: number;
  /** Guids whose key changed (their links closed). */
  readonly rotated?: number;
  /** Guids with a key now. */
  readonly sentries?: number;
}

/**
 * A function that reloads `path` into `connector` and logs `keys-reloaded` (with how many guids were added,
 * removed and rotated, and how many have a key) or `keys-reload-failed`. Calls while a reload runs are folded
 * into one more reload after it, so the last signal always sees the last file.
 */
export function keysReloader(connector: WebSocketConnector, path: string, log: (event: KeysReloadEvent) => void): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  const reloadOnce = async (): Promise<void> => {
    try {
      const changes = connector.replaceKeys(await readKeysFile(path));
      log({
        event: 'keys-reloaded',
        detail: `${path}: ${changes.added.length} added, ${changes.removed.length} removed, ${changes.rotated.length} rotated`,
        added: changes.added.length,
        removed: changes.removed.length,
        rotated: changes.rotated.length,
        sentries: connector.list().length,
      });
    } catch (error) {
      log({ event: 'keys-reload-failed', detail: `${messageOf(error)} (the keys in force are kept)` });
    }
  };
  const reload = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await reloadOnce();
      } while (again);
    })();
    try {
      await running;
    } finally {
      running = undefined;
    }
  };
  return reload;
}
