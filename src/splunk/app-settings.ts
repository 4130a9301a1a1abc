/**
 * The Splunk app's settings: `sentry.conf` in the app folder, `default/` (shipped with the app) under `local/`
 * (the administrator's), read when a search command starts.
 *
 * ```ini
 * [cluster]
 * nats_url = tls://nats-1:4222,tls://nats-2:4222
 * nats_creds = $SPLUNK_HOME/etc/auth/sentry/control.creds
 * nats_ca = $SPLUNK_ETC/auth/sentry/nats-ca.pem
 * insecure = false
 *
 * [command]
 * rpc_parallel = 100
 *
 * [splunkd]
 * ca_file = $SPLUNK_ETC/auth/cacert.pem
 * ```
 *
 * An unknown stanza or key is an error, not ignored: a mistyped `nats_ulr` would otherwise leave the cluster
 * unconfigured with nothing said. Every key may be empty, which means unset (its default): an administrator
 * unsets in `local/` what `default/` sets by writing `key =`.
 *
 * @module
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { didYouMean } from '../errors/closest-names.js';
import { ERRORS } from '../errors/codes.js';
import { previewValue } from '../runtime/zod-issue.js';
import { hostConfigFrom } from '../runtime/session.js';
import { DEFAULT_SENTRY_RPC_PARALLEL, resolveSentryRpcParallel, SENTRY_RPC_PARALLEL_KEY } from '../runtime/sentry-rpc-parallel.js';
import { ConfFileError, DEFAULT_STANZA, mergeConf, readConfFile, type ConfSetting, type ConfStanzas } from './conf-file.js';

/** The app's settings file, in `default/` and `local/` of the app folder. */
export const SENTRY_CONF = 'sentry.conf';

/** The environment variable naming the app folder, over where the script runs from (tests, a moved bundle). */
export const SENTRY_APP_DIR_ENV = 'SENTRY_APP_DIR';

/** The app's settings, `local/sentry.conf` over `default/sentry.conf` over the defaults below. */
export interface AppSettings {
  /** From `[cluster]`; undefined when `nats_url` is empty (the cluster is not configured yet). */
  nats?: {
    /** `nats_url`: the NATS servers, comma-separated (spaces and line breaks around each taken out). */
    servers: string;
    /** `nats_creds`: the credentials file, an absolute path. */
    creds?: string;
    /** `nats_ca`: the PEM file of the CA to trust for the servers' TLS, an absolute path. */
    ca?: string;
    /** `insecure`: allow `nats://` off loopback. @default false */
    insecure: boolean;
  };
  /** `[command] rpc_parallel`: sentry RPCs in flight per command (as `logpresso.core.sentry_rpc_parallel`). @default 100 */
  rpcParallel: number;
  /** `[splunkd] ca_file`: the PEM file of the CA to trust for splunkd's TLS, an absolute path. */
  splunkdCa?: string;
  /** The files read (those that exist), default first, for messages. */
  sources: string[];
}

/** Environment variables by name (`process.env` by default): `$SENTRY_APP_DIR`, and those a path setting names (`$SPLUNK_HOME`, ...). */
export type Env = Readonly<Record<string, string | undefined>>;

/** What a value is checked and converted with: the app folder (for relative paths) and the environment. */
interface ValueContext {
  readonly appDir: string;
  readonly env: Env;
}

/** Splunk's booleans, as splunk.util.normalizeBoolean reads them (any case). */
const TRUE_WORDS = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'f', 'no', 'n', 'off']);

/** `$SPLUNK_HOME` or `$SPLUNK_ETC`, not the start of a longer name (`$SPLUNK_HOMEDIR`). */
const SPLUNK_VARIABLE = /\$(SPLUNK_HOME|SPLUNK_ETC)(?![A-Za-z0-9_])/g;

/** A path with `$SPLUNK_HOME` and `$SPLUNK_ETC` replaced, made absolute from the app folder; empty is unset. */
function pathSchema({ appDir, env }: ValueContext) {
  return z.string().transform((text, ctx) => {
    if (text === '') return undefined;
    let missing: string | undefined;
    const substituted = text.replace(SPLUNK_VARIABLE, (_, name: string) => {
      const value = env[name] || (name === 'SPLUNK_ETC' && env.SPLUNK_HOME ? join(env.SPLUNK_HOME, 'etc') : undefined);
      if (value === undefined) missing ??= name;
      return value ?? '';
    });
    if (missing !== undefined) {
      const also = missing === 'SPLUNK_ETC' ? ' (nor SPLUNK_HOME, whose etc/ it defaults to)' : '';
      ctx.addIssue({
        code: 'custom',
        input: text,
        message: `$${missing} is used but the environment variable ${missing} is not set${also}`,
      });
      return z.NEVER;
    }
    return resolve(appDir, substituted);
  });
}

/** Splunk's booleans; empty is the default. */
function booleanSchema(fallback: boolean) {
  return z.string().transform((text, ctx) => {
    const word = text.toLowerCase();
    if (word === '') return fallback;
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    ctx.addIssue({ code: 'custom', input: text, message: 'expected a boolean: true or false (1/0, yes/no, t/f, y/n, on/off)' });
    return z.NEVER;
  });
}

/** The NATS servers with the spaces and line breaks of a continued value taken out; none is unset. */
const serversSchema = z.string().transform((text) => {
  const servers = text
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  return servers.length === 0 ? undefined : servers.join(',');
});

/**
 * Sentry RPCs in flight, checked by the host config's own reader, so the bound (and its wording, error 23104) is
 * the one `logpresso.core.sentry_rpc_parallel` has everywhere else.
 */
const rpcParallelSchema = z.string().transform((text, ctx) => {
  if (text === '') return DEFAULT_SENTRY_RPC_PARALLEL;
  try {
    return resolveSentryRpcParallel(hostConfigFrom({ [SENTRY_RPC_PARALLEL_KEY]: text }), {});
  } catch {
    ctx.addIssue({ code: 'custom', input: text, message: ERRORS.INVALID_SENTRY_RPC_PARALLEL.render(0, text, SENTRY_CONF) });
    return z.NEVER;
  }
});

/** Each stanza's keys and what they hold; every key is optional (the defaults are applied in loadAppSettings). */
function stanzaSchemas(context: ValueContext) {
  return {
    cluster: z.object({
      nats_url: serversSchema.optional(),
      nats_creds: pathSchema(context).optional(),
      nats_ca: pathSchema(context).optional(),
      insecure: booleanSchema(false).optional(),
    }),
    command: z.object({
      rpc_parallel: rpcParallelSchema.optional(),
    }),
    splunkd: z.object({
      ca_file: pathSchema(context).optional(),
    }),
  };
}

type Stanzas = ReturnType<typeof stanzaSchemas>;

/** Refuses an unknown stanza or key (a typo), naming the file, line, stanza and key, with the closest known name. */
function checkNames(conf: ConfStanzas, schemas: Stanzas): void {
  const stanzaNames = Object.keys(schemas);
  const keysOf = (stanza: string): string[] => Object.keys(schemas[stanza as keyof Stanzas].shape);
  for (const [stanza, settings] of conf) {
    const known = Object.hasOwn(schemas, stanza);
    for (const [key, { file, line }] of settings) {
      if (known && keysOf(stanza).includes(key)) continue;
      // The usual slip is a right key in the wrong place: above every stanza, or under another one.
      const home = stanzaNames.find((name) => keysOf(name).includes(key));
      const belongs = home === undefined ? undefined : ` It belongs under [${home}].`;
      if (stanza === DEFAULT_STANZA) {
        throw new ConfFileError(
          file,
          line,
          `${SENTRY_CONF} has no key ${JSON.stringify(key)} in [${DEFAULT_STANZA}] (or before any stanza).` +
            (belongs ?? didYouMean(key, stanzaNames.flatMap(keysOf))),
        );
      }
      if (!known) {
        throw new ConfFileError(
          file,
          line,
          `unknown stanza [${stanza}] (key ${JSON.stringify(key)}); ${SENTRY_CONF} has [${stanzaNames.join('], [')}].${didYouMean(stanza, stanzaNames)}`,
        );
      }
      throw new ConfFileError(
        file,
        line,
        `unknown key ${JSON.stringify(key)} in [${stanza}]; it has ${keysOf(stanza).join(', ')}.` +
          (belongs ?? didYouMean(key, keysOf(stanza))),
      );
    }
  }
}

/** One stanza's values checked and converted; a bad value is an error naming its file, line, stanza and key. */
function readStanza<S extends z.ZodObject>(conf: ConfStanzas, stanza: string, schema: S): z.output<S> {
  const settings = conf.get(stanza) ?? new Map<string, ConfSetting>();
  const parsed = schema.safeParse(Object.fromEntries([...settings].map(([key, { value }]) => [key, value])));
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const key = String(issue?.path[0]);
  const setting = settings.get(key);
  const where = setting ?? { file: SENTRY_CONF, line: undefined };
  const value = setting === undefined ? '' : ` = ${previewValue(setting.value)}`;
  throw new ConfFileError(where.file, where.line, `[${stanza}] ${key}${value}: ${issue?.message ?? 'invalid'}`);
}

/**
 * Reads `<appDir>/default/sentry.conf` and `<appDir>/local/sentry.conf` (either may be missing), layers local over
 * default key by key, and checks them.
 *
 * @param env - where `$SPLUNK_HOME` and `$SPLUNK_ETC` come from. @default process.env
 * @throws ConfFileError naming the file and line: a file that cannot be read, a line that does not parse, an
 * unknown stanza or key (with a did-you-mean), a bad value, a `$SPLUNK_HOME` with no such variable
 *
 * @example
 * ```ts
 * const settings = await loadAppSettings(appDirOf(import.meta.url));
 * settings.nats; // undefined until [cluster] nats_url is set
 * ```
 */
export async function loadAppSettings(appDir: string, env: Env = process.env): Promise<AppSettings> {
  const dir = resolve(appDir);
  const files = [join(dir, 'default', SENTRY_CONF), join(dir, 'local', SENTRY_CONF)];
  let conf: ConfStanzas = new Map();
  const sources: string[] = [];
  for (const file of files) {
    const read = await readConfFile(file);
    if (read === undefined) continue;
    conf = mergeConf(conf, read);
    sources.push(file);
  }
  const schemas = stanzaSchemas({ appDir: dir, env });
  checkNames(conf, schemas);
  const cluster = readStanza(conf, 'cluster', schemas.cluster);
  const command = readStanza(conf, 'command', schemas.command);
  const splunkd = readStanza(conf, 'splunkd', schemas.splunkd);
  const settings: AppSettings = { rpcParallel: command.rpc_parallel ?? DEFAULT_SENTRY_RPC_PARALLEL, sources };
  if (cluster.nats_url !== undefined) {
    settings.nats = {
      servers: cluster.nats_url,
      ...(cluster.nats_creds !== undefined && { creds: cluster.nats_creds }),
      ...(cluster.nats_ca !== undefined && { ca: cluster.nats_ca }),
      insecure: cluster.insecure ?? false,
    };
  }
  if (splunkd.ca_file !== undefined) settings.splunkdCa = splunkd.ca_file;
  return settings;
}

/**
 * The app folder of a script that runs as `<app>/bin/lib/sentry-query.mjs`: two levels above the script's folder.
 *
 * @param scriptPath - the script's path, or its `import.meta.url`
 *
 * @example
 * ```ts
 * appDirOf('/opt/splunk/etc/apps/sentry_netstat/bin/lib/sentry-query.mjs'); // '/opt/splunk/etc/apps/sentry_netstat'
 * ```
 */
export function appDirOf(scriptPath: string | URL): string {
  const path = scriptPath instanceof URL || scriptPath.startsWith('file:') ? fileURLToPath(scriptPath) : scriptPath;
  return resolve(dirname(path), '..', '..');
}

/**
 * The app folder: `$SENTRY_APP_DIR` when set (relative to the working directory), else {@link appDirOf} the script.
 *
 * @param env - @default process.env
 */
export function defaultAppDir(scriptPath: string | URL, env: Env = process.env): string {
  const fromEnv = env[SENTRY_APP_DIR_ENV];
  return fromEnv ? resolve(fromEnv) : appDirOf(scriptPath);
}
