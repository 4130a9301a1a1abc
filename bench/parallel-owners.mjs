// Standalone (not part of `npm run bench`): what the two-thread fd walk (src/agent/parallel-owners.ts) would
// save the connected agent, before it is wired into collect-linux.ts. At 10,000 and 40,000 loopback sockets
// (bench/holders.mjs), in this warm process, ROUNDS rounds in a rotating order, medians:
//   - socketOwners(): the fd walk as the agent does it now, one thread;
//   - OwnerWalker.walk(): the same walk on this thread and a kept worker (as a connected agent would);
//   - parallelSocketOwners(): the same with the worker started and stopped (as agent --once would);
//   - collectLinuxConnectionsInParallel(): the agent's whole collection now (a worker reads /proc/net while
//     this thread walks the fds);
//   - "wired, 3 threads": that collection with the fd walk of OwnerWalker.walk() (a reader worker for /proc/net,
//     this thread and the walker's worker on the fds, then the same parse);
//   - "wired, 2 threads": OwnerWalker.walkAndRead() (the kept worker reads /proc/net, then joins the fd walk
//     this thread started; then the same parse): what collect-linux.ts would do once wired.
// Usage: npm run build && node bench/parallel-owners.mjs
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { Worker } from 'node:worker_threads';
import { collectLinuxConnectionsInParallel } from '../dist/src/agent/collect-linux.js';
import { OwnerWalker, parallelSocketOwners } from '../dist/src/agent/parallel-owners.js';
import { procNetConnections } from '../dist/src/agent/proc-net-parser.js';
import { socketOwners } from '../dist/src/agent/socket-owners.js';
import { holderPlan, killHolders, startHolders, stopHolders } from './holders.mjs';
import { median, msSince, thousands } from './lib.mjs';

const SIZES = [10_000, 40_000];
const ROUNDS = 7;
const PROTOCOLS = ['tcp', 'tcp6', 'udp', 'udp6'];
const READER = `
const { readFileSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
parentPort.postMessage(workerData.map((path) => { try { return readFileSync(path); } catch { return null; } }));
`;

function readInWorker(paths) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(READER, { eval: true, workerData: paths });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/** collect-linux.ts's collectLinuxConnectionsInParallel with the fd walk of `walker`. */
async function wiredCollection(walker) {
  const reading = readInWorker(PROTOCOLS.map((p) => `/proc/net/${p}`));
  const owners = await walker.walk();
  const texts = (await reading).map((bytes) => (bytes === null ? undefined : Buffer.from(bytes).toString('utf8')));
  const connections = [];
  PROTOCOLS.forEach((protocol, i) => {
    if (texts[i] !== undefined) for (const c of procNetConnections(texts[i], protocol, endianness(), owners)) connections.push(c);
  });
  return connections;
}

/** The same with OwnerWalker.walkAndRead: the kept worker reads /proc/net, then joins the walk. */
async function wiredTwoThreads(walker) {
  const { owners, texts } = await walker.walkAndRead(PROTOCOLS.map((p) => `/proc/net/${p}`));
  const connections = [];
  PROTOCOLS.forEach((protocol, i) => {
    if (texts[i] !== undefined) for (const c of procNetConnections(texts[i], protocol, endianness(), owners)) connections.push(c);
  });
  return connections;
}

const walker = new OwnerWalker();
const timed = async (run) => {
  const start = process.hrtime.bigint();
  const result = await run();
  return { ms: msSince(start), size: result.size ?? result.length };
};
const tools = [
  ['socketOwners() (one thread, now)', () => socketOwners()],
  ['OwnerWalker.walk() (this thread + a kept worker)', () => walker.walk()],
  ['parallelSocketOwners() (worker started and stopped)', () => parallelSocketOwners()],
  ['collectLinuxConnectionsInParallel() (the collection now)', () => collectLinuxConnectionsInParallel()],
  ['wired, 3 threads: reader worker + OwnerWalker.walk()', () => wiredCollection(walker)],
  ['wired, 2 threads: OwnerWalker.walkAndRead()', () => wiredTwoThreads(walker)],
];
try {
  for (const size of SIZES) {
    const holders = await startHolders(holderPlan(size));
    const runs = tools.map(() => []);
    const sizes = tools.map(() => 0);
    try {
      for (const [, run] of tools) await run(); // warm-up
      for (let round = 0; round < ROUNDS; round++)
        for (let i = 0; i < tools.length; i++) {
          const t = (i + round) % tools.length;
          const { ms, size: found } = await timed(tools[t][1]);
          runs[t].push(ms);
          sizes[t] = found;
        }
    } finally {
      await stopHolders(holders);
    }
    console.log(`\n${thousands(size)} sockets (${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} load):`);
    tools.forEach(([label], i) =>
      console.log(
        `  ${label.padEnd(58)} median ${median(runs[i]).toFixed(0).padStart(4)} ms  [${runs[i].map((t) => t.toFixed(0)).join(' ')}]  (${thousands(sizes[i])} found)`,
      ),
    );
  }
} finally {
  await walker.close();
  killHolders();
}
