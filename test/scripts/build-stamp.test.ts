// `npm start` rebuilds only when a source changed: scripts/build-stamp.mjs, run on a small temporary project.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', '..', 'scripts', 'build-stamp.mjs');

let root: string;
const write = (path: string, text: string): void => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};
const stamp = (action: 'begin' | 'end' | 'check'): number => spawnSync(process.execPath, [script, action, root]).status ?? -1;
const upToDate = (): boolean => stamp('check') === 0;
/** What `npm run build` does around tsc: begin, the build's outputs, end. */
const build = (): void => {
  expect(stamp('begin')).toBe(0);
  write('src/generated/options-parser.js', 'export {};\n');
  write('dist/src/cli/main.js', '// built\n');
  expect(stamp('end')).toBe(0);
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'build-stamp-'));
  write('package.json', '{ "name": "p" }\n');
  write('tsconfig.json', '{}\n');
  write('src/cli/main.ts', 'export const a = 1;\n');
  write('grammar/query.peggy', 'start = "a"\n');
  write('sdk-mock/index.ts', 'export {};\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the build stamp', () => {
  it('says "up to date" after a build, and "build" after a source changes', () => {
    expect(upToDate()).toBe(false);
    build();
    expect(upToDate()).toBe(true);
    write('src/cli/main.ts', 'export const a = 2;\n');
    expect(upToDate()).toBe(false);
    build();
    expect(upToDate()).toBe(true);
  });

  it.each([
    ['a grammar', () => write('grammar/query.peggy', 'start = "b"\n')],
    ['sdk-mock', () => write('sdk-mock/index.ts', 'export const b = 1;\n')],
    ['package.json', () => write('package.json', '{ "name": "q" }\n')],
    ['tsconfig.json', () => write('tsconfig.json', '{ "compilerOptions": {} }\n')],
    ['a new source file', () => write('src/new.ts', 'export {};\n')],
    ['a deleted source file', () => rmSync(join(root, 'sdk-mock/index.ts'))],
    ['a deleted dist/', () => rmSync(join(root, 'dist'), { recursive: true })],
  ])('rebuilds after a change to %s', (_what, change) => {
    build();
    change();
    expect(upToDate()).toBe(false);
  });

  it('does not rebuild for a touch that changes no content, nor for the regenerated parsers', () => {
    build();
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'src/cli/main.ts'), later, later);
    write('src/generated/options-parser.js', 'export const regenerated = 1;\n');
    expect(upToDate()).toBe(true);
  });

  it('rebuilds after a build that failed half-way (begun, never ended)', () => {
    build();
    expect(stamp('begin')).toBe(0);
    expect(upToDate()).toBe(false);
  });
});
