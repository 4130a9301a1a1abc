// Part of `npm run build`: bundles dist/src/cli/agent-once.js and what it imports into one ES module,
// dist/agent-once.mjs, which dist/src/cli/main.js runs for `sentry-query agent --once` (src/cli/agent-once.ts).
// A one-shot process pays for every module it resolves and loads: one file instead of ~25 saves that (the
// figures are in docs/performance.md and the commit that added this). What agent-once.js imports lazily
// (the table and csv writers, pid-visibility) is bundled too: esbuild inlines `import('./x.js')` of a literal
// and evaluates it only when reached. systeminformation (the collector off Linux, 730 KB) is left out and
// imported from node_modules when reached: parsing it cost every run on Linux ~9 ms.
//
// esbuild is a devDependency: where it is missing (an install without them) no bundle is written and main.js
// loads agent-once.js unbundled, the same code.
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'cli', 'agent-once.js');
const outfile = join(root, 'dist', 'agent-once.mjs');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  rmSync(outfile, { force: true });
  process.stderr.write('bundle-agent-once: esbuild is not installed; agent --once runs unbundled\n');
  process.exit(0);
}
if (!existsSync(entry)) throw new Error(`${entry} is missing: run tsc first`);
await esbuild.build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // systeminformation: see above. ws's optional native helpers: loaded in a try/catch when present.
  external: ['systeminformation', 'bufferutil', 'utf-8-validate'],
  // CommonJS dependencies call require() for Node's built-ins; in an ES module esbuild's shim would throw.
  banner: { js: "import { createRequire as __agentOnceRequire } from 'node:module'; const require = __agentOnceRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
});
