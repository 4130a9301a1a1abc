import { formatValue, type Row } from '../../src/index.js';

/** Columns of `rows` in first-seen order, `_error` last (as the CLI prints them). */
function columnsOf(rows: readonly Row[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...[...seen].filter((c) => !c.startsWith('_')), ...[...seen].filter((c) => c.startsWith('_'))];
}

/** The records as the markdown table the command pages show under each example. */
export function markdownTable(rows: readonly Row[]): string[] {
  const columns = columnsOf(rows);
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  return [
    `| ${columns.join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${columns.map((c) => cell(row[c] === undefined ? '' : formatValue(row[c]))).join(' | ')} |`),
  ];
}
