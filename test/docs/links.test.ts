// Every relative link of the repository's Markdown resolves: to a file that is there, and, with #anchor, to a
// heading of that file (GitHub's slugs). External links (https:, mailto:) are not fetched.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubSlug, markdownAnchors, markdownLinks } from '../helpers/markdown-links.js';

const root = resolve(import.meta.dirname, '../..');
/** Generated or not ours: typedoc's output, dependencies, build output. */
const SKIPPED = new Set(['node_modules', 'dist', '.git', 'coverage', 'docs/api']);

function markdownFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (SKIPPED.has(path)) return [];
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

const files = markdownFiles('');

/** What is wrong with one link of `file`, or undefined when it resolves. */
function brokenReason(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined;
  const [pathPart = '', anchor] = target.split('#', 2);
  const path = pathPart === '' ? join(root, file) : resolve(dirname(join(root, file)), decodeURIComponent(pathPart));
  if (!existsSync(path)) return `no file ${relative(root, path)}`;
  if (anchor === undefined || !path.endsWith('.md') || statSync(path).isDirectory()) return undefined;
  const anchors = markdownAnchors(readFileSync(path, 'utf8'));
  return anchors.has(decodeURIComponent(anchor)) ? undefined : `no heading #${anchor} in ${relative(root, path)}`;
}

describe('links in the Markdown documentation', () => {
  it('finds the README and the docs', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/commands/sentry-query.md', 'docs/errors.md']));
  });

  it.each(files)('%s: every relative link and #anchor resolves', (file) => {
    const broken = markdownLinks(readFileSync(join(root, file), 'utf8')).flatMap(({ target, line }) => {
      const reason = brokenReason(file, target);
      return reason === undefined ? [] : [`${file}:${line} (${target}): ${reason}`];
    });
    expect(broken).toEqual([]);
  });
});

describe('the link check itself', () => {
  it("catches a link written relative to the repository instead of its own folder, and a heading that is not there", () => {
    expect(brokenReason('docs/commands/sentry-query.md', 'docs/errors.md')).toBe('no file docs/commands/docs/errors.md');
    expect(brokenReason('docs/commands/sentry-query.md', '../errors.md')).toBeUndefined();
    expect(brokenReason('README.md', 'docs/errors.md#no-such-heading')).toBe('no heading #no-such-heading in docs/errors.md');
    expect(brokenReason('README.md', '#cluster-on-nats')).toBeUndefined();
  });

  it('reads inline links, images and definitions, a code span as link text, and no link inside a code block', () => {
    const markdown = '[`x`](a.md) ![i](b.png "t")\n[ref]: c.md\n\n```md\n[no](d.md)\n```\n`[no](e.md)`\n';
    expect(markdownLinks(markdown).map((l) => [l.target, l.line])).toEqual([
      ['a.md', 1],
      ['b.png', 1],
      ['c.md', 2],
    ]);
  });
});

describe('GitHub heading slugs', () => {
  it.each([
    ['Cluster on NATS', 'cluster-on-nats'],
    ['The `netstat` RPC', 'the-netstat-rpc'],
    ['1. Install nats-server and give each server a certificate', '1-install-nats-server-and-give-each-server-a-certificate'],
    ['Key, token and scenario files', 'key-token-and-scenario-files'],
    ['sentry_rpc_parallel: why 100?', 'sentry_rpc_parallel-why-100'],
    ['Running a query (the main job)', 'running-a-query-the-main-job'],
  ])('%s → #%s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it('numbers repeated headings as GitHub does, and ignores headings in code blocks', () => {
    const anchors = markdownAnchors('# Logs\n\n## Logs\n\n```sh\n# not a heading\n```\n');
    expect([...anchors]).toEqual(['logs', 'logs-1']);
  });
});
