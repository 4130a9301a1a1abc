// The package's entry points (package.json `exports`): each one builds, loads, and is documented by typedoc.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; import: string }> };
const typedoc = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };

describe('package entry points', () => {
  it.each(Object.entries(pkg.exports))('%s loads from dist with its types, and exports something', async (_name, entry) => {
    expect(existsSync(join(root, entry.types)), entry.types).toBe(true);
    const module = (await import(pathToFileURL(join(root, entry.import)).href)) as Record<string, unknown>;
    expect(Object.keys(module).length).toBeGreaterThan(0);
  });

  it('typedoc documents exactly the entry points', () => {
    const fromExports = Object.values(pkg.exports).map((e) => e.import.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts'));
    expect([...typedoc.entryPoints].sort()).toEqual(fromExports.sort());
  });
});
