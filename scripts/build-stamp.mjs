// The build stamp: a hash of everything the build reads, kept in dist/ once a build has succeeded, so that
// `npm start` rebuilds only when a source changed (a rebuild is ~10 s; the query itself is under 1 s).
//
//   node scripts/build-stamp.mjs begin [ROOT]   before a build: forget the stamp, remember the sources' hash
//   node scripts/build-stamp.mjs end [ROOT]     after a successful build: that hash becomes the stamp
//   node scripts/build-stamp.mjs check [ROOT]   exit 0 when dist/ was built from the sources as they are now
//
// Content hashes, not mtimes: a checkout or `touch` that changes nothing does not rebuild, and a deleted or
// renamed source does. The hash is taken before the build, so a file edited while tsc runs rebuilds next time.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the build reads: these folders (whole) and files, relative to the root. */
const INPUT_DIRS = ['src', 'sdk-mock', 'grammar', 'scripts'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
/** The build writes the Peggy parsers here: outputs, not inputs. */
const GENERATED_DIRS = ['src/generated', 'src/host/generated'];
/** What a successful build leaves: without it, dist/ is not a build whatever the stamp says. */
const BUILT_ENTRY = 'dist/src/cli/main.js';

const STAMP = 'dist/.build-stamp';
const PENDING = 'dist/.build-stamp.pending';

/** Every input file under `dir`, as root-relative paths with forward slashes. */
function filesUnder(root, dir) {
  const found = [];
  const walk = (path) => {
    if (!existsSync(path)) return;
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      const rel = relative(root, full).split(sep).join('/');
      if (entry.isDirectory()) {
        if (!GENERATED_DIRS.includes(rel)) walk(full);
      } else if (entry.isFile()) found.push(rel);
    }
  };
  walk(join(root, dir));
  return found;
}

/** The hash of every input's path and content, in a fixed order. */
function sourcesHash(root) {
  const files = [...INPUT_DIRS.flatMap((dir) => filesUnder(root, dir)), ...INPUT_FILES.filter((f) => existsSync(join(root, f)))].sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Whether dist/ holds a build of the sources as they are now. */
function isBuildUpToDate(root) {
  const stamp = join(root, STAMP);
  if (!existsSync(stamp) || !existsSync(join(root, BUILT_ENTRY))) return false;
  return readFileSync(stamp, 'utf8').trim() === sourcesHash(root);
}

function begin(root) {
  mkdirSync(join(root, 'dist'), { recursive: true });
  rmSync(join(root, STAMP), { force: true });
  writeFileSync(join(root, PENDING), `${sourcesHash(root)}\n`);
}

function end(root) {
  if (!existsSync(join(root, PENDING))) throw new Error(`${PENDING} is missing: run the build from its start (npm run build)`);
  renameSync(join(root, PENDING), join(root, STAMP));
}

const [action, rootArg] = process.argv.slice(2);
const root = rootArg ?? join(dirname(fileURLToPath(import.meta.url)), '..');
try {
  if (action === 'begin') begin(root);
  else if (action === 'end') end(root);
  else if (action === 'check') {
    const upToDate = isBuildUpToDate(root);
    process.stderr.write(upToDate ? 'dist/ is up to date: not rebuilding\n' : 'sources changed since the last build: building\n');
    process.exitCode = upToDate ? 0 : 1;
  } else {
    process.stderr.write('usage: node scripts/build-stamp.mjs begin|end|check [ROOT]\n');
    process.exitCode = 2;
  }
} catch (error) {
  // One line, no stack: `check || npm run build` then simply builds.
  process.stderr.write(`build-stamp: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
