// Not part of npm run bench (it measures a defence, not a goal): what validating a hostile `netstat` answer
// costs in process: `netstatRows` on the parsed value, its time and the process's RSS growth while it runs.
//   npm run build && node --expose-gc bench/answer-bomb.mjs
// Answers: 8 MiB of `[{},{},...]` (over the connection limit), 0.57 MiB of `{}` (under it: the first element
// is the bad one), an array nested 100,000 levels deep, and the worst case under the limit: 199,999 valid
// connections and a bad last one (every connection is checked, at the cost of a valid answer of that size).
import { netstatRows } from '../dist/src/commands/netstat-answer.js';
import { NETSTAT_ANSWER_CONNECTION_LIMIT } from '../dist/src/rpc/limits.js';

const VALID = {
  pid: 4242,
  protocol: 'tcp',
  local_ip: '10.1.2.3',
  local_port: 443,
  remote_ip: '192.0.2.77',
  remote_port: 51234,
  state: 'ESTABLISHED',
};
const emptyObjects = (count) => `[${'{},'.repeat(count - 1)}{}]`;
const answers = {
  '[{},{},...] over the limit': emptyObjects(Math.floor((8 * 1024 * 1024) / 3)),
  '[{},{},...] under the limit': emptyObjects(NETSTAT_ANSWER_CONNECTION_LIMIT - 1),
  'nested 100,000 levels': '['.repeat(100_000) + ']'.repeat(100_000),
  '199,999 valid connections, the last one bad': JSON.stringify([
    ...new Array(NETSTAT_ANSWER_CONNECTION_LIMIT - 1).fill(VALID),
    { ...VALID, local_port: 70000 },
  ]),
};

const MiB = 1024 * 1024;
// zod compiles a schema on its first use: warm it up, so the first answer timed is not charged with that.
try {
  netstatRows('g', [{}]);
} catch {
  // expected
}
for (const [name, text] of Object.entries(answers)) {
  const answer = JSON.parse(text);
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const start = process.hrtime.bigint();
  let message = 'accepted';
  try {
    netstatRows('g', answer);
  } catch (error) {
    message = error.message;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const peakAfter = process.resourceUsage().maxRSS * 1024;
  const growth = Math.max(process.memoryUsage().rss, peakAfter > peakBefore ? peakAfter : 0) - rssBefore;
  console.log(
    `${name} (${(text.length / MiB).toFixed(2)} MiB): ${ms.toFixed(2)} ms, RSS +${(Math.max(growth, 0) / MiB).toFixed(1)} MiB → ${message}`,
  );
}
