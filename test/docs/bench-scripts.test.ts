import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// npm run bench is not part of the test suite (it times things); this keeps its scripts from rotting unseen:
// every relative import of every bench script must name a file that is there (dist/ ones after a build).
const benchDir = resolve(import.meta.dirname, '../../bench');
const scripts = readdirSync(benchDir).filter((file) => file.endsWith('.mjs'));

describe('bench scripts', () => {
  it.each(scripts)('%s imports only files that exist', (script) => {
    const source = readFileSync(join(benchDir, script), 'utf8');
    const imports = [...source.matchAll(/(?:from\s+|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
    const missing = imports.filter((path) => !existsSync(resolve(dirname(join(benchDir, script)), path)));
    expect(missing).toEqual([]);
  });

  it('bench/run.mjs runs every benchmark script there is', () => {
    const runner = readFileSync(join(benchDir, 'run.mjs'), 'utf8');
    const listed = [...runner.matchAll(/\{ id: '([a-z-]+)', limitMs/g)].map((m) => `${m[1]}.mjs`);
    expect(listed.every((file) => scripts.includes(file))).toBe(true);
    expect(listed).toEqual(['collection.mjs', 'fan-out.mjs', 'throughput.mjs', 'memory.mjs', 'sonar.mjs', 'agent.mjs']);
  });
});
