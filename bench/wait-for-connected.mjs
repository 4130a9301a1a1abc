// Shared by the benchmarks that run real nodes (fan-out, sonar): waiting until a fleet has connected.
import { runRemoteQuery } from '../dist/src/remote/index.js';
import { msSince } from './lib.mjs';

/** Polls a query endpoint (≤ timeoutMs) until it lists `expected` connected sentries; resolves with that count. */
export async function waitForConnected(url, token, expected, timeoutMs) {
  const start = process.hrtime.bigint();
  let count = -1;
  while (msSince(start) < timeoutMs) {
    await runRemoteQuery({
      url,
      token,
      query: 'sentry | search connected == true | stats count',
      signal: AbortSignal.timeout(timeoutMs),
      onRecord: (row) => {
        count = Number(row.count);
      },
    });
    if (count === expected) return count;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} lists ${count} connected sentries after ${timeoutMs} ms, expected ${expected}`);
}
