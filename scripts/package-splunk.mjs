// Packages the Splunk app apps/sentry_netstat as dist/splunk/sentry_netstat-<version>.tgz (issue 14).
//
//   npm run package:splunk                     writes dist/splunk/sentry_netstat-<version>.tgz
//   node scripts/package-splunk.mjs --out DIR  writes DIR/sentry_netstat-<version>.tgz
//
// Steps: build dist/ unless it is up to date (build-stamp, as `npm start` does: a rebuild while tests run the
// built CLI would rewrite the files under them); bundle dist/src/cli/main.js and everything it imports,
// dependencies included, into one ES module, bin/lib/sentry-query.mjs, that runs on a bare Node 20 with no
// node_modules; copy the app folder to a staging folder, fill in app.conf's version and build; set the modes
// (launcher 0755, everything else 0644, folders 0755); then tar (the system's GNU tar, for a top-level folder
// sentry_netstat/ owned by root) gzipped here with zlib. The .tgz's path is the one line on stdout.
//
// The bundle is made from the compiled JavaScript, not from src/: that is what tsc type-checked and what the
// `sentry-query` bin runs, and the generated Peggy parsers are there already. The CLI's modes are loaded with
// `import('./run-agent.js')` and the like: string literals, which esbuild follows and inlines (one file, no
// splitting). Some dependencies are CommonJS and call require() for Node's built-ins; in an ES module output
// esbuild's require shim throws for those, so the banner defines `require` with createRequire.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const APP_ID = 'sentry_netstat';
const APP_SOURCE = join(root, 'apps', APP_ID);
const ENTRY = join(root, 'dist', 'src', 'cli', 'main.js');
/** The launcher, the one executable file of the app. */
const LAUNCHER = 'bin/sentry-query';
/** Optional dependencies that ws loads in a try/catch when present: left out, ws runs without them. */
const OPTIONAL_EXTERNALS = ['bufferutil', 'utf-8-validate'];

function usage(message) {
  process.stderr.write(`package-splunk: ${message}\nusage: node scripts/package-splunk.mjs [--out DIR]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  let out = join(root, 'dist', 'splunk');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out') {
      if (argv[i + 1] === undefined) usage('--out needs a folder');
      out = resolve(argv[++i]);
    } else if (arg.startsWith('--out=')) out = resolve(arg.slice('--out='.length));
    else usage(`unknown argument ${JSON.stringify(arg)}`);
  }
  return { out };
}

/** Runs a command with its output on stderr (stdout is for the package's path); throws when it fails. */
function run(command, args, options = {}) {
  execFileSync(command, args, { cwd: root, stdio: ['ignore', 2, 'inherit'], ...options });
}

/** `npm run build` unless dist/ was built from the sources as they are (scripts/build-stamp.mjs check). */
function buildIfStale() {
  const check = spawnSync(process.execPath, [join(root, 'scripts', 'build-stamp.mjs'), 'check'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (check.status === 0) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  run(npm, ['run', 'build']);
}

/** Splunk's app.conf version: digits and dots, then at most one lower-case word (1.2.0, 2.0beta, 1.3beta2). */
function splunkVersion(version) {
  const match = /^(\d+\.\d+\.\d+)(?:-([0-9A-Za-z.-]+))?$/.exec(version);
  if (match === null) throw new Error(`package.json version ${JSON.stringify(version)} is not MAJOR.MINOR.PATCH[-PRERELEASE]`);
  return match[1] + (match[2] ?? '').replace(/[^0-9A-Za-z]/g, '').toLowerCase();
}

/** app.conf's [install] build, a positive integer that grows with the version. */
function splunkBuild(version) {
  const [major, minor, patch] = version.split(/[.-]/).map(Number);
  return Math.max(1, major * 1_000_000 + minor * 1_000 + patch);
}

/** The package (name and folder) a bundled input file comes from, if it is under node_modules. */
function packageOf(input) {
  const parts = input.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at === -1) return undefined;
  const name = parts[at + 1]?.startsWith('@') ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1];
  return { name, dir: parts.slice(0, at + 1 + name.split('/').length).join('/') };
}

/** The licences of the bundled packages, for bin/lib/THIRD-PARTY-LICENSES.txt (MIT and the like ask for the notice). */
function thirdPartyNotices(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const found = packageOf(input);
    if (found !== undefined) packages.set(found.dir, found.name);
  }
  const sections = [...packages.entries()]
    .map(([dir, name]) => {
      const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
      const licenceFile = readdirSync(join(root, dir)).find((f) => /^(licen[sc]e|copying)(\.(md|txt))?$/i.test(f));
      const text = licenceFile ? readFileSync(join(root, dir, licenceFile), 'utf8').trim() : `License: ${manifest.license ?? 'unknown'}`;
      return { key: `${name}@${manifest.version}`, text: `${name}@${manifest.version} (${manifest.license ?? 'unknown'})\n\n${text}\n` };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // The same package may be bundled from two folders (two versions); the same version once is enough.
  const unique = [...new Map(sections.map((s) => [s.key, s.text])).values()];
  return `Third-party software bundled in sentry-query.mjs\n\n${unique.join(`\n${'-'.repeat(78)}\n\n`)}`;
}

async function bundle(outfile) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error('esbuild is not installed: run npm install (it is a devDependency)');
  }
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: OPTIONAL_EXTERNALS,
    banner: {
      js: "import { createRequire as __sentryCreateRequire } from 'node:module';\nconst require = __sentryCreateRequire(import.meta.url);",
    },
    legalComments: 'eof',
    metafile: true,
    logLevel: 'warning',
  });
  if (result.errors.length > 0) throw new Error(`esbuild failed with ${result.errors.length} errors`);
  return result.metafile;
}

/** Every file and folder under `dir`, as paths relative to it with forward slashes. */
function walk(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    const rel = relative(base, full).split('\\').join('/');
    return entry.isDirectory() ? [{ rel, dir: true }, ...walk(full, base)] : [{ rel, dir: false }];
  });
}

async function main() {
  const { out } = parseArgs(process.argv.slice(2));
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const version = manifest.version;

  buildIfStale();
  if (!existsSync(ENTRY)) throw new Error(`${relative(root, ENTRY)} is missing after the build`);

  const staging = mkdtempSync(join(tmpdir(), 'sentry-netstat-splunk-'));
  try {
    const app = join(staging, APP_ID);
    cpSync(APP_SOURCE, app, { recursive: true });
    // Whatever a developer left in local/ (settings of their own Splunk) is not part of the package.
    rmSync(join(app, 'local'), { recursive: true, force: true });
    rmSync(join(app, 'metadata', 'local.meta'), { force: true });

    const appConf = join(app, 'default', 'app.conf');
    const conf = readFileSync(appConf, 'utf8');
    for (const placeholder of ['@PACKAGE_VERSION@', '@PACKAGE_BUILD@']) {
      if (!conf.includes(placeholder)) throw new Error(`apps/${APP_ID}/default/app.conf has no ${placeholder} to fill in`);
    }
    writeFileSync(
      appConf,
      conf.replaceAll('@PACKAGE_VERSION@', splunkVersion(version)).replaceAll('@PACKAGE_BUILD@', String(splunkBuild(version))),
    );

    const lib = join(app, 'bin', 'lib');
    mkdirSync(lib, { recursive: true });
    const metafile = await bundle(join(lib, 'sentry-query.mjs'));
    // `sentry-query --version` looks for the package.json named sentry-netstat from its own folder upwards
    // (src/cli/package-version.ts): this one answers for the bundle.
    writeFileSync(
      join(lib, 'package.json'),
      `${JSON.stringify({ name: manifest.name, version, private: true, type: 'module' }, null, 2)}\n`,
    );
    writeFileSync(join(lib, 'THIRD-PARTY-LICENSES.txt'), thirdPartyNotices(metafile));

    for (const entry of walk(app)) chmodSync(join(app, entry.rel), entry.dir || entry.rel === LAUNCHER ? 0o755 : 0o644);
    chmodSync(app, 0o755);
    if (!statSync(join(app, LAUNCHER)).isFile()) throw new Error(`${LAUNCHER} is missing`);

    const tar = spawnSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-cf', '-', APP_ID], {
      cwd: staging,
      maxBuffer: 512 * 1024 * 1024,
    });
    if (tar.error) throw new Error(`tar could not run: ${tar.error.message}`);
    if (tar.status !== 0) throw new Error(`tar failed (exit ${tar.status}): ${tar.stderr.toString().trim()}`);

    mkdirSync(out, { recursive: true });
    const target = join(out, `${APP_ID}-${version}.tgz`);
    writeFileSync(target, gzipSync(tar.stdout, { level: 9 }));
    process.stdout.write(`${target}\n`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`package-splunk: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
