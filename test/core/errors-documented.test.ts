import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_ERROR_CODES } from '../../src/index.js';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'errors.md'), 'utf8');

describe('the error catalogue', () => {
  it('has unique codes and ids', () => {
    expect(new Set(ALL_ERROR_CODES.map((e) => e.code)).size).toBe(ALL_ERROR_CODES.length);
    expect(new Set(ALL_ERROR_CODES.map((e) => e.id)).size).toBe(ALL_ERROR_CODES.length);
  });

  it.each(ALL_ERROR_CODES.map((e) => [e.code, e] as const))('documents %i in docs/errors.md', (code, entry) => {
    const row = doc.split('\n').find((line) => line.startsWith(`| ${code} `));
    expect(row, `no row for ${code}`).toBeDefined();
    // code | message | when | fix: the cause and the fix are both there.
    const cells = row!.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    expect(cells, `${code} needs code, message, when and fix`).toHaveLength(4);
    expect(cells[3]!.length, `${code} has no fix`).toBeGreaterThan(0);
    // The fixed words of the message (placeholders aside) appear in the row.
    const fixed = entry.render(0, ...(['NAME', 'X'] as never[])).split(/'[^']*'|\d+|NAME|X/).map((s) => s.trim()).filter((s) => s.length > 3);
    for (const words of fixed) expect(row!.replace(/\\\|/g, '|')).toContain(words.replace(/[.:]$/, ''));
  });
});
