// The collector's detail, on real /proc and real processes (root): names and every owner after a fork, another
// user's socket with its pid hidden, sockets of other network namespaces (`unshare -n`), and a socket held only
// in a thread's own fd table. Every process started here is killed in afterAll.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeParallelCollector,
  collectLinuxConnections,
  collectLinuxConnectionsInParallel,
  type DetailedConnection,
} from '../../src/agent/collect-linux.js';
import { netNamespaceOf, netNamespaces } from '../../src/agent/net-namespaces.js';
import { socketOwners } from '../../src/agent/socket-owners.js';

const isRoot = platform() === 'linux' && process.getuid?.() === 0;
const has = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const python = has('python3');
const WIRE_KEYS = ['pid', 'protocol', 'local_ip', 'local_port', 'remote_ip', 'remote_port', 'state'];
const DETAIL_KEYS = [...WIRE_KEYS, 'process', 'owners', 'uid', 'inode', 'netns', 'container'];

const started: ChildProcess[] = [];
/** Processes forked by those started (their stdin ends with their parent's, and they are killed as well). */
const forked: number[] = [];
const killAll = (): void => {
  for (const child of started) {
    child.stdin?.end();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const pid of forked) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
};

/** Starts a command whose first stdout line is JSON, and resolves with it (the process lives until killed). */
function startJson<T>(command: string, args: readonly string[]): Promise<T> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${command}: no answer in 10 s (${err})`)), 10_000);
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      resolve(JSON.parse(out.slice(0, newline)) as T);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}): ${err}`)));
  });
}

/** Python that listens on 127.0.0.1:0, prints what it is asked to, and waits for its stdin to end. */
const LISTEN = `
import json, os, select, socket, sys
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()
info = {'pid': os.getpid(), 'port': s.getsockname()[1], 'inode': os.fstat(s.fileno()).st_ino}
`;
const WAIT = `select.select([sys.stdin], [], [])\n`;

const byInode = (connections: readonly DetailedConnection[], inode: number): DetailedConnection[] =>
  connections.filter((c) => c.inode === inode);

describe.skipIf(!isRoot || !python)('collectLinuxConnections with detail on this host (root, python3)', () => {
  afterAll(killAll);
  afterAll(closeParallelCollector);

  describe('names and owners', () => {
    let info: { pid: number; child: number; port: number; inode: number };
    beforeAll(async () => {
      info = await startJson('python3', [
        '-c',
        `import ctypes
ctypes.CDLL(None).prctl(15, b'sentryowner', 0, 0, 0)  # PR_SET_NAME
${LISTEN}
child = os.fork()
if child == 0:
    ${WAIT}    os._exit(0)
info['child'] = child
print(json.dumps(info), flush=True)
${WAIT}`,
      ]);
      forked.push(info.child);
    });

    it('gives the process name, every owner ascending after a fork, the lowest as pid, uid and inode', () => {
      const rows = byInode(collectLinuxConnections({ detail: true }), info.inode);
      const owners = [info.pid, info.child].sort((a, b) => a - b);
      expect(rows).toEqual([
        {
          pid: owners[0],
          protocol: 'tcp',
          local_ip: '127.0.0.1',
          local_port: info.port,
          remote_ip: '0.0.0.0',
          remote_port: 0,
          state: 'LISTEN',
          process: 'sentryowner',
          owners,
          uid: 0,
          inode: info.inode,
          netns: netNamespaceOf('/proc', 'self'),
          container: null,
        },
      ]);
    });

    it('has exactly the wire fields without detail, and those then the detail fields with it', () => {
      const plain = collectLinuxConnections();
      expect(plain.length).toBeGreaterThan(0);
      for (const row of plain) expect(Object.keys(row)).toEqual(WIRE_KEYS);
      const mine = plain.find((c) => c.protocol === 'tcp' && c.local_port === info.port && c.state === 'LISTEN');
      expect(mine?.pid).toBe(Math.min(info.pid, info.child));
      for (const row of collectLinuxConnections({ detail: true })) expect(Object.keys(row)).toEqual(DETAIL_KEYS);
    });

    it('gives the same detail on two threads (the worker path) as on one', async () => {
      const one = byInode(collectLinuxConnections({ detail: true }), info.inode);
      expect(one[0]?.owners).toHaveLength(2);
      // parallelFrom 0: the worker even on a quiet host.
      expect(byInode(await collectLinuxConnectionsInParallel({ detail: true, parallelFrom: 0 }), info.inode)).toEqual(one);
      const plain = (await collectLinuxConnectionsInParallel({ parallelFrom: 0 })).find(
        (c) => c.protocol === 'tcp' && c.local_port === info.port && c.state === 'LISTEN',
      );
      expect(plain?.pid).toBe(one[0]?.pid);
    });
  });

  describe.skipIf(!has('setpriv'))("another user's socket, the pid hidden", () => {
    let info: { pid: number; port: number; inode: number };
    let dist: string | undefined;
    let skipReason: string | undefined;
    beforeAll(async () => {
      // A python the unprivileged user can run (pyenv's shims live under /root).
      const userPython = ['/usr/bin/python3', '/usr/local/bin/python3'].find(
        (path) => spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', path, '-c', 'pass']).status === 0,
      );
      const built = join(import.meta.dirname, '../../dist/src/agent/collect-linux.js');
      const source = join(import.meta.dirname, '../../src/agent/collect-linux.ts');
      if (userPython === undefined) skipReason = 'no python3 that uid 65534 may run';
      else if (!existsSync(built)) skipReason = 'dist/ not built (npm run build)';
      else if (statSync(built).mtimeMs < statSync(source).mtimeMs) skipReason = 'dist/ older than src/ (npm run build)';
      if (skipReason !== undefined) return;
      // The collector runs as another unprivileged user from a copy of dist/ it may read.
      dist = mkdtempSync(join(tmpdir(), 'collector-'));
      cpSync(join(import.meta.dirname, '../../dist/src'), join(dist, 'src'), { recursive: true });
      chmodSync(dist, 0o755);
      info = await startJson('setpriv', [
        '--reuid',
        '65534',
        '--regid',
        '65534',
        '--clear-groups',
        userPython as string,
        '-c',
        `${LISTEN}print(json.dumps(info), flush=True)\n${WAIT}`,
      ]);
    });
    afterAll(() => {
      if (dist !== undefined) rmSync(dist, { recursive: true, force: true });
    });

    it('shows uid 65534 with pid null and no owners to uid 65533', (context) => {
      if (skipReason !== undefined) return context.skip(skipReason);
      const script = `import { collectLinuxConnections } from ${JSON.stringify(`file://${dist}/src/agent/collect-linux.js`)};
process.stdout.write(JSON.stringify(collectLinuxConnections({ detail: true })));`;
      const run = spawnSync(
        'setpriv',
        ['--reuid', '65533', '--regid', '65533', '--clear-groups', process.execPath, '--input-type=module', '-e', script],
        { encoding: 'utf8', cwd: dist, maxBuffer: 256 * 1024 * 1024 },
      );
      expect(run.stderr).toBe('');
      const rows = byInode(JSON.parse(run.stdout) as DetailedConnection[], info.inode);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ pid: null, process: null, owners: [], uid: 65534, local_port: info.port, state: 'LISTEN' });
      // Root sees the owner.
      expect(byInode(collectLinuxConnections({ detail: true }), info.inode)[0]).toMatchObject({ pid: info.pid, owners: [info.pid] });
    });
  });

  describe.skipIf(!has('unshare') || !has('ip'))('other network namespaces', () => {
    type InNamespace = { pid: number; port: number; inode: number; child: number };
    const namespaced: InNamespace[] = [];
    beforeAll(async () => {
      // Two namespaces, each with two processes (the listener and a forked child): each must be read once.
      for (let i = 0; i < 2; i++) {
        const program = `${LISTEN}child = os.fork()
if child == 0:
    ${WAIT}    os._exit(0)
info['child'] = child
print(json.dumps(info), flush=True)
${WAIT}`;
        const info = await startJson<InNamespace>('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec python3 -c "$0"`, program]);
        forked.push(info.child);
        namespaced.push(info);
      }
    });

    it('lists them on two threads (the worker path) as on one', async () => {
      const one = collectLinuxConnections({ detail: true });
      const two = await collectLinuxConnectionsInParallel({ detail: true, parallelFrom: 0 });
      for (const info of namespaced) {
        expect(byInode(one, info.inode)).toHaveLength(1);
        expect(byInode(two, info.inode)).toEqual(byInode(one, info.inode));
      }
    });

    it('lists the sockets of every other namespace once, with its netns and owners, only with detail', () => {
      const own = netNamespaceOf('/proc', 'self');
      const detailed = collectLinuxConnections({ detail: true });
      const plain = collectLinuxConnections();
      const netnses = new Set<number | null>();
      for (const info of namespaced) {
        const rows = byInode(detailed, info.inode);
        expect(rows).toHaveLength(1);
        const [row] = rows;
        expect(row).toMatchObject({ protocol: 'tcp', local_ip: '127.0.0.1', local_port: info.port, state: 'LISTEN', container: null });
        expect(row?.owners).toEqual([info.pid, info.child].sort((a, b) => a - b));
        expect(row?.netns).toBe(netNamespaceOf('/proc', info.pid));
        expect(row?.netns).not.toBe(own);
        netnses.add(row?.netns ?? null);
        // Without detail only this namespace's sockets: the listener's pid is nowhere.
        expect(plain.some((c) => c.pid === info.pid || c.pid === info.child)).toBe(false);
      }
      expect(netnses.size).toBe(2);
      // No namespace read twice: every socket inode appears once.
      const inodes = detailed.flatMap((c) => (c.inode === null ? [] : [c.inode]));
      expect(new Set(inodes).size).toBe(inodes.length);
      const found = netNamespaces().others.map((n) => n.inode);
      expect(new Set(found).size).toBe(found.length);
      expect(found).toEqual(expect.arrayContaining([...netnses]));
    });
  });

  describe("a socket in a thread's own fd table", () => {
    let info: { pid: number; port: number; inode: number; error?: number };
    beforeAll(async () => {
      info = await startJson('python3', [
        '-c',
        `import ctypes, json, os, select, socket, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
info = {'pid': os.getpid()}
ready = threading.Event()
held = []
def run():
    if libc.unshare(0x400) != 0:  # CLONE_FILES: this thread's fd table is its own from here
        info['error'] = ctypes.get_errno()
    s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); held.append(s)
    info['port'] = s.getsockname()[1]; info['inode'] = os.fstat(s.fileno()).st_ino
    ready.set()
    ${WAIT}
threading.Thread(target=run, daemon=True).start()
ready.wait()
print(json.dumps(info), flush=True)
${WAIT}`,
      ]);
    });

    it('is missed by the walk of /proc/PID/fd, and found in /proc/PID/task/TID/fd, owned by the process', () => {
      expect(info.error).toBeUndefined();
      expect(socketOwners().has(info.inode)).toBe(false);
      expect(byInode(collectLinuxConnections({ detail: true }), info.inode)).toEqual([
        expect.objectContaining({ pid: info.pid, owners: [info.pid], process: 'python3', local_port: info.port }),
      ]);
      // Without detail as well: the pid is right rather than null.
      const plain = collectLinuxConnections().find((c) => c.protocol === 'tcp' && c.local_port === info.port && c.state === 'LISTEN');
      expect(plain?.pid).toBe(info.pid);
    });

    it('is found as well after the walk on two threads (the worker path)', async () => {
      expect(byInode(await collectLinuxConnectionsInParallel({ detail: true, parallelFrom: 0 }), info.inode)).toEqual(
        byInode(collectLinuxConnections({ detail: true }), info.inode),
      );
      const plain = (await collectLinuxConnectionsInParallel({ parallelFrom: 0 })).find(
        (c) => c.protocol === 'tcp' && c.local_port === info.port && c.state === 'LISTEN',
      );
      expect(plain?.pid).toBe(info.pid);
    });
  });
});
