// The links and heading anchors of a Markdown file, as GitHub renders them. Hand-written (60 lines) because the
// only Markdown parser in node_modules, markdown-it, comes in through typedoc, without types, and GitHub's
// slug rule is three lines.

/** One link of a Markdown file: its target as written, and the 1-based line it is on. */
export interface MarkdownLink {
  readonly target: string;
  readonly line: number;
}

/** A line outside code blocks: as written, and with its inline code spans blanked (their text is not Markdown). */
interface ProseLine {
  readonly raw: string;
  readonly text: string;
  readonly line: number;
}

/** The file's lines outside fenced code blocks (``` or ~~~, at any indent). */
function proseLines(markdown: string): ProseLine[] {
  const lines: ProseLine[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, index) => {
    const opening = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (fence !== undefined) {
      if (opening !== undefined && opening[0] === fence[0] && opening.length >= fence.length && text.trim() === opening) fence = undefined;
      return;
    }
    if (opening !== undefined) {
      fence = opening;
      return;
    }
    // A link's text may be a code span: `[`x`](y)` keeps its brackets.
    lines.push({ raw: text, text: text.replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)|``/g, 'code'), line: index + 1 });
  });
  return lines;
}

/** Every inline link and image (`[text](target)`, `![alt](target)`) and reference definition (`[label]: target`). */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const { text, line } of proseLines(markdown)) {
    for (const m of text.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+"[^"]*")?\s*\)/g))
      links.push({ target: m[1]!.replace(/^<|>$/g, ''), line });
    const definition = /^ {0,3}\[[^\]]+\]:\s*(\S+)/.exec(text);
    if (definition) links.push({ target: definition[1]!.replace(/^<|>$/g, ''), line });
  }
  return links;
}

/** GitHub's anchor of a heading's text: lowercase, punctuation dropped but for - and _, each space a -. */
export function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link shows its text
    .replace(/[`*]/g, '') // code and emphasis marks are not text
    .trim();
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a link may name in this file: its ATX headings' slugs (repeats get -1, -2 …) and HTML ids. */
export function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { raw, text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(raw)?.[1];
    if (heading !== undefined) {
      const slug = githubSlug(heading);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  }
  return anchors;
}
