// The systemd units shipped in deploy/systemd/: well-formed (systemd-analyze verify where it is installed, and
// the keys an administrator expects in any case), and every --flag of each ExecStart is one the built CLI's
// mode takes (its --help lists it).
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/child-cli.js';

const UNITS_DIR = join(import.meta.dirname, '..', '..', 'deploy', 'systemd');
const units = readdirSync(UNITS_DIR).filter((file) => file.endsWith('.service'));
const text = (unit: string): string => readFileSync(join(UNITS_DIR, unit), 'utf8');

/** Each `Key=value` of a unit, by section (continuation lines joined, comments dropped). */
function settings(unit: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let section = '';
  for (const line of text(unit)
    .replace(/\\\n\s*/g, ' ')
    .split('\n')) {
    if (/^\s*(#|;|$)/.test(line)) continue;
    const header = /^\[(\w+)\]$/.exec(line.trim());
    if (header) section = header[1]!;
    else {
      const [key, ...value] = line.split('=');
      const name = `${section}.${key!.trim()}`;
      found.set(name, [...(found.get(name) ?? []), value.join('=').trim()]);
    }
  }
  return found;
}
const only = (unit: string, key: string): string => {
  const values = settings(unit).get(key) ?? [];
  expect(values, `${unit}: ${key}`).toHaveLength(1);
  return values[0]!;
};

/** The mode and the words after `sentry-query` in a unit's ExecStart. */
function execStart(unit: string): { mode: string; flags: string[]; words: string[] } {
  const words = only(unit, 'Service.ExecStart').split(/\s+/);
  const at = words.findIndex((w) => w === 'sentry-query' || w.endsWith('/sentry-query'));
  expect(at, `${unit}: ExecStart runs sentry-query`).toBeGreaterThanOrEqual(0);
  const rest = words.slice(at + 2);
  return { mode: words[at + 1]!, flags: rest.filter((w) => w.startsWith('--')), words };
}

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('deploy/systemd', () => {
  it('has the agent, node and control units', () => {
    expect(units.sort()).toEqual(['sentry-agent.service', 'sentry-control.service', 'sentry-node.service']);
  });

  describe.each(units)('%s', (unit) => {
    it.runIf(hasSystemdAnalyze)('passes systemd-analyze verify with nothing to say about it', () => {
      const result = spawnSync('systemd-analyze', ['verify', '--man=no', `./${unit}`], { cwd: UNITS_DIR, encoding: 'utf8' });
      // verify exits 0 even when it ignores a line ("Invalid environment assignment, ignoring"): read its output too.
      const aboutThisUnit = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.includes(unit));
      expect(aboutThisUnit).toEqual([]);
      expect(result.status).toBe(0);
    });

    it('is hardened, restarts on failure, and is started at boot once enabled', () => {
      expect(only(unit, 'Unit.Description')).not.toBe('');
      expect(only(unit, 'Service.User')).toMatch(/^sentry-/);
      expect(only(unit, 'Service.Restart')).toBe('on-failure');
      expect(only(unit, 'Service.RestartSec')).toMatch(/^\d+s$/);
      expect(only(unit, 'Service.NoNewPrivileges')).toBe('yes');
      expect(only(unit, 'Service.ProtectSystem')).toBe('strict');
      expect(only(unit, 'Service.ProtectHome')).toBe('yes');
      expect(only(unit, 'Service.PrivateTmp')).toBe('yes');
      expect(only(unit, 'Service.ReadOnlyPaths')).toBe('/etc/sentry-netstat');
      expect(only(unit, 'Install.WantedBy')).toBe('multi-user.target');
      // systemd drops a dotted name from Environment= (bash's naming rules): it would be silently lost.
      for (const assignment of settings(unit).get('Service.Environment') ?? []) expect(assignment).toMatch(/^[A-Za-z_][A-Za-z0-9_]*=/);
    });

    it("passes only flags that its mode's --help lists", () => {
      const { mode, flags } = execStart(unit);
      expect(`sentry-${mode}.service`).toBe(unit);
      const help = execFileSync(process.execPath, [BIN, mode, '--help'], { encoding: 'utf8' });
      const known = new Set(help.match(/--[a-z][a-z-]*/g));
      expect(flags.length).toBeGreaterThan(0);
      expect(flags.filter((flag) => !known.has(flag))).toEqual([]);
    });
  });

  it('runs the agent as a user that sees every socket owner: CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH, nothing more', () => {
    expect(only('sentry-agent.service', 'Service.User')).not.toBe('root');
    const capabilities = ['CAP_DAC_READ_SEARCH', 'CAP_SYS_PTRACE'];
    expect(only('sentry-agent.service', 'Service.AmbientCapabilities').split(/\s+/).sort()).toEqual(capabilities);
    expect(only('sentry-agent.service', 'Service.CapabilityBoundingSet').split(/\s+/).sort()).toEqual(capabilities);
  });

  it.each(['sentry-node.service', 'sentry-control.service'])(
    '%s sets logpresso.core.sentry_rpc_parallel through env(1), from SENTRY_RPC_PARALLEL',
    (unit) => {
      expect(settings(unit).get('Service.Environment')).toContain('SENTRY_RPC_PARALLEL=100');
      const { words } = execStart(unit);
      expect(words.slice(0, 2)).toEqual(['/usr/bin/env', 'logpresso.core.sentry_rpc_parallel=${SENTRY_RPC_PARALLEL}']);
      expect(only(unit, 'Service.CapabilityBoundingSet')).toBe('');
    },
  );
});
