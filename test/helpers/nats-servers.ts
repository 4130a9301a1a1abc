/**
 * Real nats-server processes on loopback for the cluster suite (`npm run test:cluster`): a fully routed cluster of
 * `size` servers, each with its own config file in a fresh temp dir, its client port, monitoring port and route port.
 * The binary is the Debian package's (`apt-get install nats-server`, /usr/sbin/nats-server) or `nats-server` on PATH.
 *
 * Servers are never left running: `stop()` kills them, and a process 'exit' hook kills whatever is still alive.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The message cluster tests fail with (rather than skipping silently) when the binary is missing. */
export const NATS_SERVER_MISSING = 'nats-server is not installed: apt-get install nats-server';

export interface NatsClusterOptions {
  /** Number of servers, all routed to each other. Default 3. */
  size?: number;
  /** Appended verbatim to every server's config file, e.g. an `authorization { users = [...] }` block. */
  extraConfig?: string;
  /**
   * TLS on the client port (`tls { cert_file, key_file }`) and on the routes (`cluster { tls { ... } }`); the client
   * URLs are then `tls://`. Routes verify each other's certificate against `caFile`, which defaults to `certFile`
   * (right for a self-signed certificate for 127.0.0.1).
   */
  tls?: { certFile: string; keyFile: string; caFile?: string };
  /** `max_payload` for every server (bytes). */
  maxPayload?: number;
}

export interface NatsCluster {
  /** Client URLs, one per server: `nats://127.0.0.1:PORT`, or `tls://127.0.0.1:PORT` with `tls`. */
  readonly urls: readonly string[];
  /** Monitoring base URLs, one per server: `http://127.0.0.1:PORT` (append `/routez`, `/varz`, ...). */
  readonly monitorUrls: readonly string[];
  /** Process ids, one per server. */
  readonly pids: readonly number[];
  /** The temp dir holding the config files; removed by `stop()`. */
  readonly dir: string;
  /** Sends `signal` to server `index` and resolves once it has exited (at once if it already had). */
  kill(index: number, signal?: NodeJS.Signals): Promise<void>;
  /** Kills every server still running, waits for them to exit and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

const STDERR_TAIL_BYTES = 4096;
const POLL_MS = 50;
const READY_TIMEOUT_MS = 10_000;
const EXIT_TIMEOUT_MS = 10_000;
const START_ATTEMPTS = 3;

/** The nats-server binary: /usr/sbin/nats-server, else `nats-server` on PATH; undefined when neither exists. */
export function natsServerBinary(): string | undefined {
  const candidates = [
    '/usr/sbin/nats-server',
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((d) => join(d, 'nats-server')),
  ];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Whether a nats-server binary is installed (/usr/sbin/nats-server or `nats-server` on PATH). */
export function natsServerAvailable(): boolean {
  return natsServerBinary() !== undefined;
}

// Everything started and not yet stopped, so the 'exit' hook can kill it: a crashed or forgetful test must not
// leave servers behind.
const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
}

interface RunningServer {
  readonly child: ChildProcess;
  /** Resolves once the process has exited and its stderr is closed (or it failed to spawn). */
  readonly closed: Promise<void>;
  isClosed(): boolean;
  stderr(): string;
  exitDescription(): string;
}

function startServer(binary: string, configFile: string): RunningServer {
  const child = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  liveChildren.add(child);
  let tail = Buffer.alloc(0);
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = Buffer.concat([tail, chunk]);
    if (tail.length > STDERR_TAIL_BYTES) tail = tail.subarray(tail.length - STDERR_TAIL_BYTES);
  });
  let closed = false;
  let spawnError: Error | undefined;
  let exit = '';
  const closedPromise = new Promise<void>((resolve) => {
    const done = (): void => {
      closed = true;
      liveChildren.delete(child);
      resolve();
    };
    child.once('close', (code, signal) => {
      exit = signal !== null ? `killed by ${signal}` : `exited with code ${String(code)}`;
      done();
    });
    child.once('error', (err) => {
      spawnError = err;
      // A process that never started emits no 'close'.
      if (child.pid === undefined) done();
    });
  });
  return {
    child,
    closed: closedPromise,
    isClosed: () => closed,
    stderr: () => (spawnError !== undefined ? `${spawnError.message}\n` : '') + tail.toString('utf8'),
    exitDescription: () => (spawnError !== undefined ? `failed to start (${spawnError.message})` : exit || 'still running'),
  };
}

/** `count` distinct free loopback ports: all listened on at once (so no duplicates), then released. */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
  }
}

const quote = (s: string): string => JSON.stringify(s);

function configFor(
  index: number,
  ports: { client: number; monitor: number; route: number },
  routePorts: readonly number[],
  options: NatsClusterOptions,
): string {
  const lines = [`server_name: n${index}`, `listen: 127.0.0.1:${ports.client}`, `http: 127.0.0.1:${ports.monitor}`];
  if (options.maxPayload !== undefined) lines.push(`max_payload: ${options.maxPayload}`);
  const tls = options.tls;
  if (tls) lines.push(`tls {`, `  cert_file: ${quote(tls.certFile)}`, `  key_file: ${quote(tls.keyFile)}`, `}`);
  lines.push(`cluster {`, `  name: sentry`, `  listen: 127.0.0.1:${ports.route}`, `  routes: [`);
  for (const port of routePorts) lines.push(`    nats-route://127.0.0.1:${port}`);
  lines.push(`  ]`);
  if (tls) {
    lines.push(`  tls {`, `    cert_file: ${quote(tls.certFile)}`, `    key_file: ${quote(tls.keyFile)}`);
    lines.push(`    ca_file: ${quote(tls.caFile ?? tls.certFile)}`, `  }`);
  }
  lines.push(`}`);
  if (options.extraConfig !== undefined) lines.push(options.extraConfig);
  return lines.join('\n') + '\n';
}

async function numRoutes(monitorUrl: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${monitorUrl}/routez`, { signal: AbortSignal.timeout(1000) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { num_routes?: unknown };
    return typeof body.num_routes === 'number' ? body.num_routes : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function describeServers(servers: readonly RunningServer[]): string {
  return servers
    .map((s, i) => {
      const err = s.stderr().trimEnd();
      return `--- server n${i} (pid ${String(s.child.pid)}, ${s.exitDescription()}) stderr:\n${err === '' ? '(empty)' : err}`;
    })
    .join('\n');
}

async function startOnce(binary: string, options: NatsClusterOptions, size: number): Promise<NatsCluster> {
  const ports = await freePorts(3 * size);
  const clientPorts = ports.slice(0, size);
  const monitorPorts = ports.slice(size, 2 * size);
  const routePorts = ports.slice(2 * size);
  const dir = mkdtempSync(join(tmpdir(), 'sentry-nats-'));
  liveDirs.add(dir);
  installExitHook();

  const servers: RunningServer[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const s of servers) {
        if (!s.isClosed()) s.child.kill('SIGKILL');
      }
      await Promise.all(servers.map((s) => s.closed));
      rmSync(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    })());

  const scheme = options.tls ? 'tls' : 'nats';
  const urls = clientPorts.map((p) => `${scheme}://127.0.0.1:${p}`);
  const monitorUrls = monitorPorts.map((p) => `http://127.0.0.1:${p}`);

  try {
    for (let i = 0; i < size; i++) {
      const file = join(dir, `n${i}.conf`);
      const config = configFor(i, { client: clientPorts[i]!, monitor: monitorPorts[i]!, route: routePorts[i]! }, routePorts, options);
      writeFileSync(file, config);
      servers.push(startServer(binary, file));
    }

    const deadline = Date.now() + READY_TIMEOUT_MS;
    let routes: (number | undefined)[] = [];
    for (;;) {
      if (servers.some((s) => s.isClosed())) {
        // One died (bad config, port taken): let the others' stderr settle, then report all of them.
        await stop();
        throw new Error(`nats-server exited during startup (config dir ${dir}):\n${describeServers(servers)}`);
      }
      routes = await Promise.all(monitorUrls.map(numRoutes));
      if (routes.every((n) => n !== undefined && n >= size - 1)) break;
      if (Date.now() >= deadline) {
        await stop();
        const status = routes.map((n, i) => `n${i}: ${n === undefined ? 'no answer' : `${n} routes`}`).join(', ');
        throw new Error(
          `nats-server cluster of ${size} not routed within ${READY_TIMEOUT_MS} ms (${status}; want ${size - 1} each):\n${describeServers(servers)}`,
        );
      }
      await sleep(POLL_MS);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  const kill = async (index: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const server = servers[index];
    if (server === undefined) throw new RangeError(`no server ${index} (cluster of ${size})`);
    if (server.isClosed()) return;
    server.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`nats-server n${index} (pid ${String(server.child.pid)}) still running ${EXIT_TIMEOUT_MS} ms after ${signal}`)),
        EXIT_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([server.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  return { urls, monitorUrls, pids: servers.map((s) => s.child.pid!), dir, kill, stop };
}

/**
 * Starts `size` (default 3) nats-servers on loopback, routed to each other as cluster `sentry`, and resolves once
 * every server's `/routez` reports `size - 1` routes. On failure (missing binary, bad config, not routed within
 * 10 s) everything started is stopped and the error carries nats-server's stderr.
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const binary = natsServerBinary();
  if (binary === undefined) throw new Error(NATS_SERVER_MISSING);
  const size = options.size ?? 3;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binary, options, size);
    } catch (err) {
      // A free port can be taken between picking it and nats-server binding it: pick new ones and try again.
      if (attempt < START_ATTEMPTS && err instanceof Error && /address already in use/i.test(err.message)) continue;
      throw err;
    }
  }
}
