// npm run bench: runs every benchmark, one after the other (never two at once: they would share the two
// cores), each in a child process with its own time limit, prints their tables and writes
// docs/performance.md from the results. `node bench/run.mjs fan-out throughput` runs only those (and writes
// nothing); `node bench/run.mjs --write agent` runs only those and replaces their sections of
// docs/performance.md (by their number), keeping the others as the last run wrote them.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { formatTable, msSince } from './lib.mjs';

/** Each benchmark and the longest it may take: 15 minutes at most in all (a run takes ~5). */
const BENCHMARKS = [
  { id: 'collection', limitMs: 200_000 },
  { id: 'fan-out', limitMs: 100_000 },
  { id: 'throughput', limitMs: 60_000 },
  { id: 'memory', limitMs: 120_000 },
  { id: 'sonar', limitMs: 180_000 },
  { id: 'agent', limitMs: 240_000 },
];

const writeSelected = process.argv.includes('--write');
const wanted = process.argv.slice(2).filter((arg) => arg !== '--write');
const selected = wanted.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => wanted.includes(b.id));
const scratch = mkdtempSync(join(tmpdir(), 'sentry-bench-'));
const results = [];
const failures = [];
const started = process.hrtime.bigint();

for (const bench of selected) {
  const resultFile = join(scratch, `${bench.id}.json`);
  const outcome = await runBenchmark(bench, resultFile);
  if (outcome.ok) results.push(JSON.parse(readFileSync(resultFile, 'utf8')));
  else failures.push(`${bench.id}: ${outcome.reason}`);
}
rmSync(scratch, { recursive: true, force: true });

const elapsed = msSince(started) / 1000;
const machine = describeMachine();
console.log(`\n${'='.repeat(100)}\nsummary — ${machine}; ${elapsed.toFixed(0)} s in all\n`);
for (const result of results) console.log(formatTable(result));
for (const failure of failures) console.log(`FAILED ${failure}`);
const page = new URL('../docs/performance.md', import.meta.url);
if (wanted.length === 0) {
  writeFileSync(page, performancePage(results, failures, machine, elapsed));
  console.log('docs/performance.md written');
} else if (writeSelected && results.length > 0) {
  writeFileSync(page, replaceSections(readFileSync(page, 'utf8'), results, machine));
  console.log(`docs/performance.md: section(s) of ${results.map((r) => r.id).join(', ')} replaced`);
}
process.exitCode = failures.length === 0 ? 0 : 1;

/** Runs one benchmark script; its output goes straight to ours. Killed (with its process group) at its limit. */
function runBenchmark(bench, resultFile) {
  return new Promise((resolve) => {
    console.log(`\n--- ${bench.id} (limit ${bench.limitMs / 1000} s)`);
    const child = spawn(process.execPath, [new URL(`./${bench.id}.mjs`, import.meta.url).pathname], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_RESULT: resultFile },
      detached: true, // its own process group, so the kill below reaches its children too
    });
    const kill = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      kill();
      resolve({ ok: false, reason: `over its ${bench.limitMs / 1000} s limit, killed` });
    }, bench.limitMs);
    process.once('SIGINT', kill);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', kill);
      kill(); // any child it left behind
      resolve(code === 0 ? { ok: true } : { ok: false, reason: signal ? `killed by ${signal}` : `exit ${code}` });
    });
  });
}

function describeMachine() {
  const cpu = cpus();
  return `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown cpu'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${type()} ${release()}, Node ${process.version}`;
}

function performancePage(results, failures, machine, elapsed) {
  const sections = results.map((result) => resultSection(result));
  return [
    '# Performance',
    '',
    '<!-- Written by `npm run bench` (bench/run.mjs) from its latest run. Do not edit by hand: run the bench. -->',
    '',
    `Measured on ${new Date().toISOString().slice(0, 10)}: ${machine}. The whole bench took ${elapsed.toFixed(0)} s.`,
    'Each benchmark is a script in bench/ and can be run alone (`node bench/<name>.mjs` after `npm run build`).',
    '',
    ...sections.flatMap((section) => [section, '']),
    ...(failures.length ? ['## Failed', '', ...failures.map((f) => `- ${f}`), ''] : []),
  ].join('\n');
}

/**
 * `page` (docs/performance.md) with the sections of `results` in place of those of the same number ("## 6. …"),
 * or added at the end (before "## Failed") where it had none; each says when and how it was measured.
 */
function replaceSections(page, results, machine) {
  const [head, ...sections] = page.split(/^(?=## )/m);
  const numberOf = (text) => /^## (\d+)\./.exec(text)?.[1];
  for (const result of results) {
    const fresh = `${resultSection(result)}\n- This section: measured on ${new Date().toISOString().slice(0, 10)} by \`node bench/run.mjs --write ${results.map((r) => r.id).join(' ')}\` (${machine}), not in a run of the whole bench.\n\n`;
    const at = sections.findIndex((section) => numberOf(section) !== undefined && numberOf(section) === numberOf(`## ${result.title}`));
    if (at !== -1) sections[at] = fresh;
    else {
      const failed = sections.findIndex((section) => section.startsWith('## Failed'));
      sections.splice(failed === -1 ? sections.length : failed, 0, fresh);
    }
  }
  return [head, ...sections].join('').replace(/\n+$/, '\n');
}

/** One benchmark's section: its title, its table, its notes. */
function resultSection(result) {
  const cell = (text) => String(text).replaceAll('|', '\\|');
  const rows = result.rows.map(
    (row) =>
      `| ${[
        row.measured,
        row.figure,
        row.comparison,
        row.ratio,
        row.goal ? `${row.goal} ${row.verdict === 'met' ? '✔ met' : '✘ **not met**'}` : '',
      ]
        .map(cell)
        .join(' | ')} |`,
  );
  return [
    `## ${result.title}`,
    '',
    '| measured | figure | comparison | ratio | goal |',
    '|---|---|---|---|---|',
    ...rows,
    ...(result.notes?.length ? ['', ...result.notes.map((note) => `- ${note}`)] : []),
  ].join('\n');
}
