/**
 * The Splunk app package (scripts/package-splunk.mjs): packaged once into a temporary folder, extracted, and
 * checked as Splunk would see it: the layout, the .conf files, and the launcher, run from outside the
 * repository (no node_modules reachable) with a Node and without one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkReader, type RawChunk } from '../../src/splunk/chunk-reader.js';

const root = join(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const COMMANDS = ['sentrynetstat', 'sonarsentrynetstat', 'sentrylist'] as const;

/** A .conf file as stanzas of settings: `# comments`, `[stanza]`, `key = value`, a value going on after a trailing `\`. */
function readConf(path: string): Map<string, Map<string, string>> {
  const stanzas = new Map<string, Map<string, string>>([['default', new Map()]]);
  let current = stanzas.get('default')!;
  let pending: { key: string; value: string } | undefined;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (pending !== undefined) {
      pending.value += ` ${line.trim()}`;
    } else {
      const text = line.trim();
      if (text === '' || text.startsWith('#')) continue;
      const stanza = /^\[(.*)\]$/.exec(text);
      if (stanza) {
        current = new Map();
        stanzas.set(stanza[1]!, current);
        continue;
      }
      const eq = text.indexOf('=');
      if (eq === -1) throw new Error(`${path}: not a setting: ${text}`);
      pending = { key: text.slice(0, eq).trim(), value: text.slice(eq + 1).trim() };
    }
    if (pending.value.endsWith('\\')) {
      pending.value = pending.value.slice(0, -1).trimEnd();
      continue;
    }
    current.set(pending.key, pending.value);
    pending = undefined;
  }
  return stanzas;
}

let work: string;
let app: string;
let tgz: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sentry-app-package-'));
  const out = join(work, 'out');
  const stdout = execFileSync(process.execPath, [join(root, 'scripts', 'package-splunk.mjs'), '--out', out], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 240_000,
  });
  tgz = stdout.trim().split('\n').at(-1)!;
  const extracted = join(work, 'extracted');
  mkdirSync(extracted);
  execFileSync('tar', ['-xzf', tgz, '-C', extracted]);
  app = join(extracted, 'sentry_netstat');
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs the app's launcher from the extracted folder's parent (outside the repository). */
function launch(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(join(app, 'bin', 'sentry-query'), args, { cwd: dirname(app), env, encoding: 'buffer', timeout: 30_000, input: '' });
}

/** The environment without SENTRY_NODE, with the running Node's folder first on PATH. */
function envWithNode(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(process.execPath)}:/usr/bin:/bin` };
  delete env['SENTRY_NODE'];
  return env;
}

describe('the Splunk app package', () => {
  it('is DIR/sentry_netstat-<version>.tgz with the one top-level folder sentry_netstat/', () => {
    expect(tgz).toBe(join(work, 'out', `sentry_netstat-${manifest.version}.tgz`));
    const names = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).trim().split('\n');
    expect(names.every((name) => name === 'sentry_netstat/' || name.startsWith('sentry_netstat/'))).toBe(true);
  });

  it('has the layout of a Splunk app, its launcher executable', () => {
    for (const file of [
      'default/app.conf',
      'default/commands.conf',
      'default/searchbnf.conf',
      'default/authorize.conf',
      'default/sentry.conf',
      'README/sentry.conf.spec',
      'metadata/default.meta',
      'README.md',
      'bin/sentry-query',
      'bin/lib/sentry-query.mjs',
      'bin/lib/package.json',
      'bin/lib/THIRD-PARTY-LICENSES.txt',
    ]) {
      expect(existsSync(join(app, file)), file).toBe(true);
    }
    expect(existsSync(join(app, 'local'))).toBe(false);
    expect(statSync(join(app, 'bin', 'sentry-query')).mode & 0o777).toBe(0o755);
    expect(statSync(join(app, 'default', 'commands.conf')).mode & 0o777).toBe(0o644);
  });

  it("app.conf: the package's id, label and version (package.json's)", () => {
    const conf = readConf(join(app, 'default', 'app.conf'));
    expect(conf.get('launcher')?.get('version')).toBe(manifest.version);
    expect(conf.get('package')?.get('id')).toBe('sentry_netstat');
    expect(conf.get('ui')?.get('label')).toBe('Sentry netstat');
    expect(conf.get('install')?.get('build')).toMatch(/^[1-9]\d*$/);
    expect(readFileSync(join(app, 'default', 'app.conf'), 'utf8')).not.toContain('@PACKAGE_');
  });

  it('commands.conf: one chunked stanza per command, running the launcher with `splunk COMMAND`', () => {
    const conf = readConf(join(app, 'default', 'commands.conf'));
    for (const command of COMMANDS) {
      const stanza = conf.get(command);
      expect(stanza, command).toBeDefined();
      expect(stanza?.get('chunked')).toBe('true');
      expect(stanza?.get('filename')).toBe('sentry-query');
      expect(stanza?.get('command.arg.1')).toBe('splunk');
      expect(stanza?.get('command.arg.2')).toBe(command);
    }
    expect(conf.get('sentrynetstat')?.get('is_risky')).toBe('true');
    expect(conf.get('sonarsentrynetstat')?.get('is_risky')).toBe('true');
  });

  it('authorize.conf: the capability run_sentry_rpc, granted to role_admin', () => {
    const conf = readConf(join(app, 'default', 'authorize.conf'));
    expect(conf.has('capability::run_sentry_rpc')).toBe(true);
    expect(conf.get('role_admin')?.get('run_sentry_rpc')).toBe('enabled');
  });

  it('searchbnf.conf: one public stanza per command, with its syntax and examples', () => {
    const conf = readConf(join(app, 'default', 'searchbnf.conf'));
    for (const command of COMMANDS) {
      const stanza = conf.get(`${command}-command`);
      expect(stanza, command).toBeDefined();
      expect(stanza?.get('syntax')?.split(' ')[0]).toBe(command);
      expect(stanza?.get('shortdesc')).toBeTruthy();
      expect(stanza?.get('description')).toBeTruthy();
      expect(stanza?.get('usage')).toBe('public');
      const examples = [...(stanza?.keys() ?? [])].filter((key) => /^example\d+$/.test(key));
      expect(examples.length).toBeGreaterThan(0);
      for (const key of examples) {
        expect(stanza?.get(key)).toMatch(new RegExp(`^\\| .*\\b${command}\\b`));
        expect(stanza?.get(key.replace('example', 'comment'))).toBeTruthy();
      }
    }
    expect(conf.get('sentrynetstat-command')?.get('syntax')).toBe('sentrynetstat (timeout=<int>)? (detail=<bool>)?');
    const netstatExamples = [...(conf.get('sentrynetstat-command')?.entries() ?? [])]
      .filter(([key]) => key.startsWith('example'))
      .map(([, v]) => v);
    expect(netstatExamples).toEqual(
      expect.arrayContaining([
        '| sentrylist | fields guid | sentrynetstat',
        '| sentrylist | fields guid | sentrynetstat | search state="LISTEN"',
        '| sentrylist | fields guid | sentrynetstat timeout=60',
      ]),
    );
  });

  it('sentry.conf: the defaults of every documented setting', () => {
    const conf = readConf(join(app, 'default', 'sentry.conf'));
    expect(Object.fromEntries([...conf].filter(([, s]) => s.size > 0).map(([name, s]) => [name, Object.fromEntries(s)]))).toEqual({
      cluster: { nats_url: '', nats_creds: '', nats_ca: '', insecure: 'false' },
      command: { rpc_parallel: '100' },
      splunkd: { ca_file: '' },
    });
    const spec = readFileSync(join(app, 'README', 'sentry.conf.spec'), 'utf8');
    for (const key of ['nats_url', 'nats_creds', 'nats_ca', 'insecure', 'rpc_parallel', 'ca_file'])
      expect(spec).toMatch(new RegExp(`^${key} = `, 'm'));
  });

  it('metadata/default.meta exports the commands to every app', () => {
    expect(
      readConf(join(app, 'metadata', 'default.meta'))
        .get('commands')
        ?.get('export'),
    ).toBe('system');
  });

  it('the launcher runs the bundled CLI with no node_modules around: --version prints the package version', () => {
    const run = launch(['--version'], envWithNode());
    expect(run.stderr.toString()).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.toString().trim()).toBe(manifest.version);
  });

  it('the bundled CLI runs a query (its modes, parsers and dependencies are all in the bundle)', () => {
    const run = launch(
      ['--scenario', join(root, 'examples', 'fleet.json'), 'sentry | fields guid | sentry-netstat | search state == "LISTEN"'],
      envWithNode(),
    );
    expect(run.status, run.stderr.toString()).toBe(0);
    const rows = run.stdout
      .toString()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row['state'] === 'LISTEN' && typeof row['guid'] === 'string')).toBe(true);
  });

  describe('without a Node it can use, the launcher answers in the protocol', () => {
    /** A PATH with only what the launcher's error path needs (tr): no node on it. */
    function pathWithoutNode(): string {
      const bin = join(work, 'no-node-bin');
      if (!existsSync(bin)) {
        mkdirSync(bin);
        symlinkSync(execFileSync('sh', ['-c', 'command -v tr'], { encoding: 'utf8' }).trim(), join(bin, 'tr'));
      }
      return bin;
    }

    function onlyChunk(stdout: Buffer): RawChunk {
      const reader = new ChunkReader();
      const chunks = reader.push(stdout);
      reader.end();
      expect(chunks).toHaveLength(1);
      return chunks[0]!;
    }

    it('SENTRY_NODE names no file: one chunk whose metadata.error asks for Node.js 20, exit 1', () => {
      const missing = join(work, 'no-such-node');
      const env = { ...process.env, PATH: pathWithoutNode(), SENTRY_NODE: missing };
      const run = launch(['splunk', 'sentrynetstat'], env);
      expect(run.status).toBe(1);
      const chunk = onlyChunk(run.stdout);
      expect(chunk.body).toBe('');
      expect(chunk.metadata['error']).toEqual(expect.stringContaining('Node.js 20'));
      expect(chunk.metadata['error']).toEqual(expect.stringContaining(`SENTRY_NODE=${missing}: no such file`));
      expect(chunk.metadata['finished']).toBe(true);
      expect(run.stderr.toString()).toContain('Node.js 20');
    });

    it('SENTRY_NODE is a Node older than 20.19: the chunk says which version it found', () => {
      const old = join(work, 'old-node');
      writeFileSync(old, '#!/bin/sh\necho 18.19.1\n', { mode: 0o755 });
      const run = launch(['splunk', 'sentrylist'], { ...process.env, PATH: pathWithoutNode(), SENTRY_NODE: old });
      expect(run.status).toBe(1);
      expect(onlyChunk(run.stdout).metadata['error']).toEqual(expect.stringContaining(`SENTRY_NODE=${old}: v18.19.1`));
    });
  });
});
