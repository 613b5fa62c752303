// The Markdown language plugin: GFM tokens with fenced code in its own grammar, and a heading outline.
import type { Parser, SyntaxNode, Tree } from '@lezer/common';
import { parser as commonMarkParser, GFM, parseCode } from '@lezer/markdown';
import { prepareIn, tokensIn } from './highlight.js';
import { javascriptParsers } from './javascript.js';
import { jsonParser } from './json.js';
import type {
  LanguagePlugin,
  OutlineItem,
  OutlineLimits,
  OutlineResult,
  TextRange,
} from './LanguagePlugin.js';
import { OutlineBudget, outlineLabel } from './outlineBudget.js';
import { ParseCache } from './ParseCache.js';

/** Grammars for fenced code blocks, by the first word of the fence's info string. */
const fenceParsers: Record<string, Parser> = {
  js: javascriptParsers.javascript,
  javascript: javascriptParsers.javascript,
  mjs: javascriptParsers.javascript,
  cjs: javascriptParsers.javascript,
  jsx: javascriptParsers.jsx,
  ts: javascriptParsers.typescript,
  typescript: javascriptParsers.typescript,
  mts: javascriptParsers.typescript,
  cts: javascriptParsers.typescript,
  tsx: javascriptParsers.tsx,
  json: jsonParser,
};

/** CommonMark with GitHub's tables, task lists, strikethrough and autolinks; fenced code highlighted. */
export const markdownParser = commonMarkParser.configure([
  GFM,
  parseCode({ codeParser: (info) => fenceParsers[info.trim().split(/\s/)[0]!.toLowerCase()] ?? null }),
]);

const headingLevels: Record<string, number> = {
  ATXHeading1: 1,
  ATXHeading2: 2,
  ATXHeading3: 3,
  ATXHeading4: 4,
  ATXHeading5: 5,
  ATXHeading6: 6,
  SetextHeading1: 1,
  SetextHeading2: 2,
};

/** Blocks that can hold headings; nothing else is entered when looking for them. */
const headingContainers = new Set(['Document', 'Blockquote', 'BulletList', 'OrderedList', 'ListItem']);

/** Syntax left out of a heading's label: its `#`s or underline, emphasis and code marks, link targets. */
const labelSkips = new Set([
  'HeaderMark',
  'EmphasisMark',
  'CodeMark',
  'LinkMark',
  'StrikethroughMark',
  'QuoteMark',
  'URL',
  'LinkTitle',
  'LinkLabel',
]);

interface Heading {
  node: SyntaxNode;
  level: number;
}

/** Headings in document order, looking inside block quotes and lists but not into paragraphs. */
function findHeadings(tree: Tree, budget: OutlineBudget): Heading[] {
  const headings: Heading[] = [];
  const stack: SyntaxNode[] = [tree.topNode];
  // Depth-first with an explicit stack (children pushed in reverse) keeps document order without recursion.
  while (stack.length > 0) {
    const node = stack.pop()!;
    const level = headingLevels[node.name];
    if (level !== undefined) {
      if (headings.length > budget.maxItems) break;
      headings.push({ node, level });
      continue;
    }
    if (!headingContainers.has(node.name)) continue;
    const children: SyntaxNode[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return headings;
}

/** A heading's text without its marks, link targets or line breaks. */
function headingLabel(text: string, heading: SyntaxNode): string {
  let label = '';
  let at = heading.from;
  const cursor = heading.cursor();
  let enter = true;
  while (label.length <= 400 && cursor.next(enter) && cursor.from < heading.to) {
    enter = !labelSkips.has(cursor.name);
    if (enter) continue;
    label += text.slice(at, cursor.from);
    at = Math.max(at, cursor.to);
  }
  if (label.length <= 400) label += text.slice(at, heading.to);
  return outlineLabel(label);
}

/**
 * The headings of `text` nested by level: a heading holds the following headings of a deeper level.
 * Each entry spans its section, up to the next heading of the same or a higher level.
 */
function markdownOutline(tree: Tree, text: string, limits?: Partial<OutlineLimits>): OutlineResult {
  const budget = new OutlineBudget(limits);
  const items: OutlineItem[] = [];
  const open: OutlineItem[] = [];
  for (const { node, level } of findHeadings(tree, budget)) {
    while (open.length > 0 && open.at(-1)!.level >= level) open.pop()!.to = node.from;
    const parent = open.at(-1);
    if (!budget.admit(open.length + 1, parent)) {
      if (budget.exhausted) break;
      continue;
    }
    const item: OutlineItem = {
      label: headingLabel(text, node),
      kind: 'heading',
      level,
      from: node.from,
      to: text.length,
      children: [],
    };
    (parent ? parent.children : items).push(item);
    open.push(item);
  }
  return { items, truncated: budget.truncated };
}

const cache = new ParseCache(markdownParser);

/** Markdown (CommonMark + GFM), with JavaScript, TypeScript and JSON highlighted in fenced code. */
export const markdown: LanguagePlugin = {
  id: 'markdown',
  name: 'Markdown',
  extensions: ['.md', '.markdown', '.mdown', '.mkd'],
  tokens(text: string, range?: TextRange) {
    return tokensIn(cache, text, range);
  },
  prepare(text: string, range?: TextRange) {
    return prepareIn(cache, text, range);
  },
  outline(text: string) {
    return markdownOutline(cache.tree(text), text).items;
  },
  outlineWithStatus(text: string, limits?: Partial<OutlineLimits>) {
    return markdownOutline(cache.tree(text), text, limits);
  },
};
