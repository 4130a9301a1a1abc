/**
 * "Did you mean …?" for a mistyped command or option name.
 *
 * Hand-written rather than a dependency: it is twenty lines, and it follows commander's own rule
 * (`suggestSimilar`: optimal string alignment distance, at most 3 edits, more than 40 % of the name kept,
 * only the closest), which commander does not export, so a mistyped query name and a mistyped CLI flag are
 * suggested alike. The packages that do export a distance (fast-levenshtein, leven) count a swap of two
 * neighbouring letters (`tiemout`) as two edits, though it is one of the commonest typos.
 *
 * @module
 */

const MAX_EDITS = 3;
const MIN_SIMILARITY = 0.4;

/**
 * Edits between `a` and `b`: insertions, deletions, substitutions and swaps of two neighbours, each part of
 * the text edited at most once (the optimal string alignment distance).
 */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: edits between the first i characters of a and the first j of b.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const substitution = rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The known names closest to `name` (ties all kept, sorted), or none when nothing is close enough to be a
 * typo of it. A name of one character is never suggested.
 *
 * @example
 * ```ts
 * closestNames('sentry-netsat', ['sentry', 'sentry-netstat', 'search']); // ['sentry-netstat']
 * ```
 */
export function closestNames(name: string, known: Iterable<string>): string[] {
  let best = MAX_EDITS + 1;
  let closest: string[] = [];
  for (const candidate of new Set(known)) {
    if (candidate.length <= 1 || candidate === name) continue;
    const distance = editDistance(name, candidate);
    const length = Math.max(name.length, candidate.length);
    if ((length - distance) / length <= MIN_SIMILARITY || distance > best) continue;
    if (distance < best) closest = [];
    best = distance;
    closest.push(candidate);
  }
  return closest.sort();
}

/**
 * ` Did you mean 'a'?` or ` Did you mean 'a' or 'b'?` (with a leading space), or `''` when nothing is close:
 * the ending of an "unknown name" message.
 */
export function didYouMean(name: string, known: Iterable<string>): string {
  const closest = closestNames(name, known).map((n) => `'${n}'`);
  if (closest.length === 0) return '';
  const listed = closest.length === 1 ? closest[0]! : `${closest.slice(0, -1).join(', ')} or ${closest.at(-1)!}`;
  return ` Did you mean ${listed}?`;
}
