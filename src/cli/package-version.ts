import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The version in this package's package.json, for `sentry-query --version`. It is looked up from this file
 * upwards, because the file runs from two depths: src/cli (tests) and dist/src/cli (the bin).
 */
export function packageVersion(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'sentry-netstat' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // No package.json here (or not ours): look one folder up.
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
