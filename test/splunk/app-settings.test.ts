// The app's sentry.conf: local over default, names and values checked, paths made absolute, on real folders.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPLUNK_CONF_LIMIT_BYTES } from '../../src/rpc/limits.js';
import { appDirOf, defaultAppDir, loadAppSettings, type AppSettings } from '../../src/splunk/app-settings.js';
import { ConfFileError } from '../../src/splunk/conf-file.js';

let root: string;
let count = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'app-settings-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A new app folder with the given `default/sentry.conf` and `local/sentry.conf` (omitted: no file). */
async function app(files: { default?: string; local?: string }): Promise<string> {
  const dir = join(root, `app${++count}`);
  for (const layer of ['default', 'local'] as const) {
    await mkdir(join(dir, layer), { recursive: true });
    const text = files[layer];
    if (text !== undefined) await writeFile(join(dir, layer, 'sentry.conf'), text);
  }
  return dir;
}

const ENV = { SPLUNK_HOME: '/opt/splunk' };

/** The settings of an app with only a local/sentry.conf of `text`. */
async function localOnly(text: string, env: Record<string, string> = ENV): Promise<AppSettings> {
  return loadAppSettings(await app({ local: text }), env);
}

/** The error loading an app with `files` gives. */
async function loadError(
  files: { default?: string; local?: string },
  env: Record<string, string> = ENV,
): Promise<{ error: ConfFileError; dir: string }> {
  const dir = await app(files);
  try {
    await loadAppSettings(dir, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfFileError);
    return { error: error as ConfFileError, dir };
  }
  throw new Error('loadAppSettings accepted it');
}

describe('loadAppSettings', () => {
  it('gives the built-in defaults when neither file exists', async () => {
    const dir = await app({});
    expect(await loadAppSettings(dir, ENV)).toEqual({ rpcParallel: 100, sources: [] });
  });

  it('layers local over default key by key, and lists both files', async () => {
    const dir = await app({
      default: '[cluster]\nnats_url = tls://default:4222\nnats_creds = /etc/default.creds\ninsecure = true\n[command]\nrpc_parallel = 50\n',
      local: '# the administrator\n[cluster]\nnats_url = tls://local:4222\ninsecure = false\n',
    });
    expect(await loadAppSettings(dir, ENV)).toEqual({
      nats: { servers: 'tls://local:4222', creds: '/etc/default.creds', insecure: false },
      rpcParallel: 50,
      sources: [join(dir, 'default', 'sentry.conf'), join(dir, 'local', 'sentry.conf')],
    });
  });

  it('reads local/sentry.conf alone when default/ has none', async () => {
    const dir = await app({ local: '[command]\nrpc_parallel = 3\n' });
    expect(await loadAppSettings(dir, ENV)).toEqual({ rpcParallel: 3, sources: [join(dir, 'local', 'sentry.conf')] });
  });

  it('treats an empty value as unset, so local can unset what default sets', async () => {
    const dir = await app({
      default: '[cluster]\nnats_url = tls://a:4222\n[command]\nrpc_parallel = 50\n[splunkd]\nca_file = /etc/ca.pem\n',
      local: '[cluster]\nnats_url =\n[command]\nrpc_parallel =\n[splunkd]\nca_file =\n',
    });
    const settings = await loadAppSettings(dir, ENV);
    expect(settings.nats).toBeUndefined();
    expect(settings.rpcParallel).toBe(100);
    expect(settings.splunkdCa).toBeUndefined();
  });

  it('joins servers continued over lines, without the spaces and line breaks', async () => {
    const settings = await localOnly('[cluster]\nnats_url = tls://a:4222, \\\n    tls://b:4222 ,\\\n  tls://c:4222\n');
    expect(settings.nats?.servers).toBe('tls://a:4222,tls://b:4222,tls://c:4222');
  });

  it('substitutes $SPLUNK_HOME and $SPLUNK_ETC, and $SPLUNK_ETC defaults to $SPLUNK_HOME/etc', async () => {
    const text =
      '[cluster]\nnats_url = tls://a:4222\nnats_creds = $SPLUNK_HOME/etc/auth/control.creds\nnats_ca = $SPLUNK_ETC/auth/ca.pem\n' +
      '[splunkd]\nca_file = $SPLUNK_ETC/auth/cacert.pem\n';
    const withEtc = await localOnly(text, { SPLUNK_HOME: '/opt/splunk', SPLUNK_ETC: '/srv/etc' });
    expect(withEtc.nats).toEqual({
      servers: 'tls://a:4222',
      creds: '/opt/splunk/etc/auth/control.creds',
      ca: '/srv/etc/auth/ca.pem',
      insecure: false,
    });
    expect(withEtc.splunkdCa).toBe('/srv/etc/auth/cacert.pem');
    const withoutEtc = await localOnly(text, { SPLUNK_HOME: '/opt/splunk' });
    expect(withoutEtc.nats?.ca).toBe('/opt/splunk/etc/auth/ca.pem');
  });

  it('leaves a longer name that starts like $SPLUNK_HOME alone', async () => {
    const settings = await localOnly('[splunkd]\nca_file = /x/$SPLUNK_HOMEDIR/ca.pem\n');
    expect(settings.splunkdCa).toBe('/x/$SPLUNK_HOMEDIR/ca.pem');
  });

  it('refuses a variable the environment lacks, naming it, the file and the line', async () => {
    const { error, dir } = await loadError({ local: '[cluster]\nnats_url = tls://a:4222\nnats_creds = $SPLUNK_HOME/x.creds\n' }, {});
    expect(error.message).toBe(
      `${join(dir, 'local', 'sentry.conf')}:3: [cluster] nats_creds = "$SPLUNK_HOME/x.creds": ` +
        '$SPLUNK_HOME is used but the environment variable SPLUNK_HOME is not set',
    );
    const etc = await loadError({ local: '[splunkd]\nca_file = $SPLUNK_ETC/ca.pem\n' }, {});
    expect(etc.error.message).toContain('$SPLUNK_ETC is used but the environment variable SPLUNK_ETC is not set (nor SPLUNK_HOME');
  });

  it('makes a relative path relative to the app folder, keeps an absolute one', async () => {
    const dir = await app({
      local:
        '[cluster]\nnats_url = tls://a:4222\nnats_creds = auth/control.creds\nnats_ca = ../shared/ca.pem\n[splunkd]\nca_file = /abs/ca.pem\n',
    });
    const settings = await loadAppSettings(dir, ENV);
    expect(settings.nats?.creds).toBe(join(dir, 'auth', 'control.creds'));
    expect(settings.nats?.ca).toBe(join(root, 'shared', 'ca.pem'));
    expect(settings.splunkdCa).toBe('/abs/ca.pem');
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['Y', true],
    ['on', true],
    ['t', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['off', false],
    ['F', false],
    ['', false],
  ])('reads insecure = %j as %s', async (word, expected) => {
    const settings = await localOnly(`[cluster]\nnats_url = nats://a:4222\ninsecure = ${word}\n`);
    expect(settings.nats?.insecure).toBe(expected);
  });

  it('refuses a word that is not a Splunk boolean', async () => {
    const { error, dir } = await loadError({ local: '[cluster]\nnats_url = nats://a:4222\ninsecure = maybe\n' });
    expect(error.message).toBe(
      `${join(dir, 'local', 'sentry.conf')}:3: [cluster] insecure = "maybe": expected a boolean: true or false (1/0, yes/no, t/f, y/n, on/off)`,
    );
  });

  it.each([
    ['1', 1],
    ['1000000', 1_000_000],
    [' 250 ', 250],
  ])('reads rpc_parallel = %j', async (text, expected) => {
    expect((await localOnly(`[command]\nrpc_parallel = ${text}\n`)).rpcParallel).toBe(expected);
  });

  it.each(['0', '1000001', '-5', '1.5', 'many'])(
    'refuses rpc_parallel = %s with the bound of logpresso.core.sentry_rpc_parallel',
    async (text) => {
      const { error, dir } = await loadError({ default: `[command]\n\nrpc_parallel = ${text}\n` });
      expect(error.file).toBe(join(dir, 'default', 'sentry.conf'));
      expect(error.line).toBe(3);
      expect(error.message).toContain(`[command] rpc_parallel = "${text}": Invalid logpresso.core.sentry_rpc_parallel value '${text}'`);
      expect(error.message).toContain('Use an integer from 1 to 1000000.');
    },
  );

  it('refuses an unknown key with a did-you-mean, naming the file, line and stanza', async () => {
    const { error, dir } = await loadError({ default: '[cluster]\nnats_url =\n', local: '[cluster]\nnats_ulr = tls://a:4222\n' });
    expect(error.message).toBe(
      `${join(dir, 'local', 'sentry.conf')}:2: unknown key "nats_ulr" in [cluster]; it has nats_url, nats_creds, nats_ca, insecure. Did you mean 'nats_url'?`,
    );
  });

  it('refuses an unknown key without a suggestion when nothing is close', async () => {
    const { error } = await loadError({ local: '[command]\ncolour = blue\n' });
    expect(error.message).toMatch(/:2: unknown key "colour" in \[command\]; it has rpc_parallel\.$/);
  });

  it('refuses a key under the wrong stanza, saying where it belongs', async () => {
    const { error } = await loadError({ local: '[cluster]\nrpc_parallel = 5\n' });
    expect(error.message).toMatch(
      /:2: unknown key "rpc_parallel" in \[cluster\]; it has nats_url, nats_creds, nats_ca, insecure\. It belongs under \[command\]\.$/,
    );
  });

  it('refuses an unknown stanza with a did-you-mean', async () => {
    const { error, dir } = await loadError({ default: '[clustr]\nnats_url = tls://a:4222\n' });
    expect(error.message).toBe(
      `${join(dir, 'default', 'sentry.conf')}:2: unknown stanza [clustr] (key "nats_url"); sentry.conf has [cluster], [command], [splunkd]. Did you mean 'cluster'?`,
    );
  });

  it('refuses a key written before any stanza, saying where it belongs', async () => {
    const { error, dir } = await loadError({ local: 'rpc_parallel = 5\n[cluster]\n' });
    expect(error.message).toBe(
      `${join(dir, 'local', 'sentry.conf')}:1: sentry.conf has no key "rpc_parallel" in [default] (or before any stanza). It belongs under [command].`,
    );
  });

  it('accepts an empty [default] stanza', async () => {
    expect((await localOnly('[default]\n[command]\nrpc_parallel = 9\n')).rpcParallel).toBe(9);
  });

  it('passes on a parse error with the file and line', async () => {
    const { error, dir } = await loadError({ default: '[cluster]\n\n[command\n' });
    expect(error.message).toBe(`${join(dir, 'default', 'sentry.conf')}:3: unterminated stanza header "[command": expected [NAME]`);
  });

  it('refuses an oversize file before reading it', async () => {
    const big = `[command]\nrpc_parallel = 5\n${'#'.repeat(SPLUNK_CONF_LIMIT_BYTES)}\n`;
    const { error, dir } = await loadError({ default: big });
    expect(error.message).toBe(
      `${join(dir, 'default', 'sentry.conf')}: larger than the ${SPLUNK_CONF_LIMIT_BYTES} bytes a .conf file may have: is this the right file?`,
    );
  });
});

describe('appDirOf and defaultAppDir', () => {
  const script = '/opt/splunk/etc/apps/sentry_netstat/bin/lib/sentry-query.mjs';

  it('finds the app two levels above the bundle folder, from a path or a file URL', () => {
    expect(appDirOf(script)).toBe('/opt/splunk/etc/apps/sentry_netstat');
    expect(appDirOf(pathToFileURL(script))).toBe('/opt/splunk/etc/apps/sentry_netstat');
    expect(appDirOf(pathToFileURL(script).href)).toBe('/opt/splunk/etc/apps/sentry_netstat');
  });

  it('prefers SENTRY_APP_DIR when set', () => {
    expect(defaultAppDir(script, { SENTRY_APP_DIR: '/srv/sentry_app' })).toBe('/srv/sentry_app');
    expect(defaultAppDir(script, { SENTRY_APP_DIR: '' })).toBe('/opt/splunk/etc/apps/sentry_netstat');
    expect(defaultAppDir(script, {})).toBe('/opt/splunk/etc/apps/sentry_netstat');
  });
});
