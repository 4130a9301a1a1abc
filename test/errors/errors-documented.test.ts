// Like fastify's: every error in the catalogues is documented in docs/errors.md, and everything documented
// there is in the catalogues, so neither can drift.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_ERROR_CODES, ALL_RUNTIME_ERRORS } from '../../src/index.js';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'errors.md'), 'utf8');

/** The cells of a Markdown table row (escaped pipes kept as text). */
function cells(row: string): string[] {
  return row
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** The body rows of the first table after `heading`. */
function tableAfter(heading: string): string[][] {
  const section = doc.split(`\n${heading}\n`)[1];
  expect(section, heading).toBeDefined();
  const rows = section!
    .split('\n## ')[0]!
    .split('\n')
    .filter((l) => l.startsWith('|'));
  return rows.slice(2).map(cells);
}

const codeRows = doc.split('\n').filter((line) => /^\| \d{5} \|/.test(line));

describe('the error catalogue', () => {
  it('has unique codes and ids', () => {
    expect(new Set(ALL_ERROR_CODES.map((e) => e.code)).size).toBe(ALL_ERROR_CODES.length);
    expect(new Set(ALL_ERROR_CODES.map((e) => e.id)).size).toBe(ALL_ERROR_CODES.length);
  });

  it('every documented code exists in the catalogue', () => {
    const documented = codeRows.map((row) => Number(cells(row)[0]));
    expect(documented.length).toBeGreaterThan(0);
    for (const code of documented)
      expect(
        ALL_ERROR_CODES.map((e) => e.code),
        `docs/errors.md documents ${code}`,
      ).toContain(code);
    expect(new Set(documented).size, 'a code documented twice').toBe(documented.length);
  });

  it.each(ALL_ERROR_CODES.map((e) => [e.code, e] as const))('documents %i in docs/errors.md', (code, entry) => {
    const row = codeRows.find((line) => line.startsWith(`| ${code} `));
    expect(row, `no row for ${code}`).toBeDefined();
    // code | message | when | fix: the cause and the fix are both there.
    const [, , , fix, ...rest] = cells(row!);
    expect(rest, `${code} needs code, message, when and fix`).toHaveLength(0);
    expect(fix?.length ?? 0, `${code} has no fix`).toBeGreaterThan(0);
    // The fixed words of the message (placeholders aside) appear in the row.
    const fixed = entry
      .render(0, ...(['NAME', 'X'] as never[]))
      .split(/'[^']*'|\d+|NAME|X/)
      .map((s) => s.trim())
      .filter((s) => s.length > 3);
    for (const words of fixed) expect(row!.replace(/\\\|/g, '|')).toContain(words.replace(/[.:]$/, ''));
  });
});

describe('the runtime error catalogue', () => {
  const table = tableAfter('## Runtime errors (`_error`)');

  it('has unique ids and patterns', () => {
    expect(new Set(ALL_RUNTIME_ERRORS.map((e) => e.id)).size).toBe(ALL_RUNTIME_ERRORS.length);
    expect(new Set(ALL_RUNTIME_ERRORS.map((e) => e.pattern)).size).toBe(ALL_RUNTIME_ERRORS.length);
  });

  it('docs/errors.md lists exactly the catalogue, each with a meaning and a fix', () => {
    expect(table.map((row) => row[0])).toEqual(ALL_RUNTIME_ERRORS.map((e) => e.pattern));
    for (const row of table) {
      expect(row, `${row[0]}: _error | meaning | fix`).toHaveLength(3);
      expect(row[2]!.length, `${row[0]} has no fix`).toBeGreaterThan(0);
    }
  });

  it('each pattern is what the message renders, placeholders aside', () => {
    for (const entry of ALL_RUNTIME_ERRORS) {
      const placeholders = entry.pattern.match(/\b[A-Z]{4,}\b/g) ?? [];
      const rendered = (entry.message as (...args: string[]) => string)(...placeholders);
      // Rendering with the placeholders' own names gives back the pattern (up to the detail's inner parts).
      expect(entry.pattern.startsWith(rendered.split(': ')[0]!), entry.id).toBe(true);
    }
  });
});
