// Benchmark 4: peak RSS while 10,000 sentries × 1,000 connections stream through sentry-netstat to a counting
// sink, next to the same at 1,000 sentries (flat as N grows) and to the process before the query starts.
// Each size runs in a fresh child process (`node bench/memory.mjs child N`), whose peak RSS (getrusage
// maxrss) is its own.
import { execFileSync } from 'node:child_process';
import { report, thousands } from './lib.mjs';

const CONNECTIONS = 1_000;
/** Distinct answers handed out in turn (as bench/throughput.mjs); 10 keep the test data itself small. */
const DISTINCT_ANSWERS = 10;
const GOAL_MB = 200;

if (process.argv[2] === 'child') {
  await child(Number(process.argv[3]));
} else {
  const sizes = [1_000, 10_000];
  const results = sizes.map((sentries) =>
    JSON.parse(
      execFileSync(process.execPath, ['--expose-gc', new URL(import.meta.url).pathname, 'child', String(sentries)], {
        encoding: 'utf8',
        timeout: 100_000,
      }),
    ),
  );
  const [small, large] = results;
  const mb = (kb) => kb / 1024;
  const bytesPerRecord = ((large.liveKb - small.liveKb) * 1024) / (large.records - small.records);
  for (const result of results) {
    if (result.records !== result.sentries * CONNECTIONS || result.errors !== 0) throw new Error(`records lost: ${JSON.stringify(result)}`);
  }
  report({
    id: 'memory',
    title: `4. Memory: peak RSS, N sentries × ${thousands(CONNECTIONS)} connections streamed through sentry-netstat to a counting sink`,
    rows: [
      ...results.map((result) => ({
        measured: `peak RSS, N = ${thousands(result.sentries)} (${thousands(result.records)} records)`,
        figure: `${mb(result.peakKb).toFixed(0)} MB`,
        comparison: `goal < ${GOAL_MB} MB`,
        ratio: `${(mb(result.peakKb) / GOAL_MB).toFixed(2)}×`,
        ...(result === large && { goal: '< 1.00×', verdict: mb(result.peakKb) < GOAL_MB ? 'met' : 'not met' }),
      })),
      {
        measured: 'peak RSS, N = 10,000 against N = 1,000',
        figure: `${mb(large.peakKb).toFixed(0)} MB`,
        comparison: `N = 1,000: ${mb(small.peakKb).toFixed(0)} MB`,
        ratio: `${(large.peakKb / small.peakKb).toFixed(2)}×`,
      },
      {
        measured: 'heap the query holds half-way through (after a full GC, minus the heap before it), N = 10,000 against N = 1,000',
        figure: `${mb(large.liveKb).toFixed(1)} MB`,
        comparison: `N = 1,000: ${mb(small.liveKb).toFixed(1)} MB`,
        ratio: `${(large.liveKb / small.liveKb).toFixed(2)}×`,
      },
      {
        measured: 'growth of that held heap per extra record (9,000,000 more records at N = 10,000)',
        figure: `${bytesPerRecord.toFixed(2)} bytes/record`,
        comparison: 'one leaked object per record would be ≥ 16 bytes',
        ratio: '',
        goal: 'flat (< 1 byte/record)',
        verdict: bytesPerRecord < 1 ? 'met' : 'not met',
      },
      ...results.map((result) => ({
        measured: `the query's own share at N = ${thousands(result.sentries)}: peak RSS − RSS before the query`,
        figure: `${mb(result.peakKb - result.baselineKb).toFixed(0)} MB`,
        comparison: `RSS before the query ${mb(result.baselineKb).toFixed(0)} MB`,
        ratio: '',
      })),
    ],
    notes: [
      'Each size in a fresh process; peak RSS is getrusage maxrss (includes Node itself, the loaded modules and the test data).',
      'Flat is judged on the heap the query holds: live heap half-way through after a forced full GC, minus the live heap just before the query (the host and its N sentries, which the platform holds anyway). What it still grows with N is about 100 bytes per sentry: the snapshot of the directory that the sentry command lists from (connector.list()), not sentry-netstat. Peak RSS also depends on how far V8 lets garbage grow before collecting, which a longer run pushes further; a leak would show in the live heap, growing with the records sent.',
      `"RSS before the query": the same process with the modules loaded, the host built and its ${DISTINCT_ANSWERS} distinct answers made, just before the query starts.`,
      `Every run delivered exactly N × ${thousands(CONNECTIONS)} records and no _error; wall time: ${results.map((r) => `N = ${thousands(r.sentries)} ${(r.wallMs / 1000).toFixed(1)} s`).join(', ')}.`,
    ],
  });
}

async function child(sentries) {
  const { MockHost } = await import('../dist/sdk-mock/index.js');
  const { fakeConnections } = await import('../dist/src/simulator/index.js');
  const answers = Array.from({ length: DISTINCT_ANSWERS }, (_, i) => fakeConnections(`answer-${i}`, CONNECTIONS));
  const host = new MockHost({
    sentries: Array.from({ length: sentries }, (_, i) => ({ guid: `sentry-${i}`, connections: answers[i % answers.length] })),
  });
  const baselineKb = process.memoryUsage.rss() / 1024;
  globalThis.gc();
  const heapBeforeKb = process.memoryUsage().heapUsed / 1024;
  let records = 0;
  let errors = 0;
  const start = process.hrtime.bigint();
  const halfWay = (sentries * CONNECTIONS) / 2;
  let liveKb = 0;
  const onRecord = (row) => {
    if (++records === halfWay) {
      globalThis.gc();
      liveKb = process.memoryUsage().heapUsed / 1024;
    }
    if (row._error !== undefined) errors++;
  };
  await host.start('sentry | fields guid | sentry-netstat', { onRecord }).done;
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  host.close();
  console.log(
    JSON.stringify({
      sentries,
      records,
      errors,
      wallMs,
      baselineKb,
      liveKb: liveKb - heapBeforeKb,
      peakKb: process.resourceUsage().maxRSS,
    }),
  );
}
