// Highlighting for the language plugins: lezer trees to the protocol's tokens, whole or by range.
import { NodeProp, Tree } from '@lezer/common';
import { classHighlighter, getStyleTags, highlightTree, tagHighlighter, tags } from '@lezer/highlight';
import { type TextRange, type Token, TokenType } from './LanguagePlugin.js';
import type { ParseCache } from './ParseCache.js';

/**
 * Classes `classHighlighter` has no name for but a view wants to tell apart: `null` (it only says
 * literal), regular expressions and escapes (it lumps them with template strings), Markdown's marks,
 * code, quotes and strikethrough, and the keyword-like modifiers and `this`.
 */
const extraHighlighter = tagHighlighter([
  { tag: tags.null, class: 'tok-null' },
  { tag: tags.regexp, class: 'tok-regexp' },
  { tag: tags.escape, class: 'tok-escape' },
  { tag: [tags.processingInstruction, tags.contentSeparator], class: 'tok-meta' },
  { tag: tags.monospace, class: 'tok-code' },
  { tag: tags.quote, class: 'tok-quote' },
  { tag: tags.strikethrough, class: 'tok-strikethrough' },
  { tag: [tags.modifier, tags.self], class: 'tok-keyword' },
]);
const highlighters = [classHighlighter, extraHighlighter];

/** `tok-*` class (without the prefix) → stable token type. Classes not listed produce no token. */
const classToType: Record<string, TokenType> = {
  link: TokenType.link,
  heading: TokenType.heading,
  emphasis: TokenType.emphasis,
  strong: TokenType.strong,
  keyword: TokenType.keyword,
  atom: TokenType.atom,
  bool: TokenType.bool,
  url: TokenType.url,
  labelName: TokenType.labelName,
  string: TokenType.string,
  string2: TokenType.string,
  number: TokenType.number,
  variableName: TokenType.variableName,
  variableName2: TokenType.variableName,
  propertyName: TokenType.propertyName,
  typeName: TokenType.typeName,
  namespace: TokenType.namespace,
  className: TokenType.className,
  operator: TokenType.operator,
  comment: TokenType.comment,
  meta: TokenType.meta,
  invalid: TokenType.invalid,
  punctuation: TokenType.punctuation,
  null: TokenType.null,
  regexp: TokenType.regexp,
  escape: TokenType.escape,
  code: TokenType.code,
  quote: TokenType.quote,
  strikethrough: TokenType.strikethrough,
};

const typeOfClasses = new Map<string, TokenType | null>();

/**
 * The type for a span's classes. Classes inherited from enclosing nodes come first and a node's own
 * last, so the last recognised class is the most specific one ('#' in a heading is `meta`).
 */
function tokenTypeOf(classes: string): TokenType | null {
  let type = typeOfClasses.get(classes);
  if (type === undefined) {
    type = null;
    for (const cls of classes.split(' ')) {
      const mapped = classToType[cls.startsWith('tok-') ? cls.slice(4) : cls];
      if (mapped) type = mapped;
    }
    typeOfClasses.set(classes, type);
  }
  return type;
}

/**
 * `range` made safe for a text of `length`: whole numbers within `[0, length]`, `from <= to`; the
 * whole text when no range is given.
 */
export function clampRange(range: TextRange | undefined, length: number): TextRange {
  if (!range) return { from: 0, to: length };
  const clamp = (n: number, fallback: number) =>
    Number.isFinite(n) ? Math.min(length, Math.max(0, Math.floor(n))) : fallback;
  const from = clamp(range.from, 0);
  const to = clamp(range.to, length);
  return from <= to ? { from, to } : { from: to, to: from };
}

/**
 * The top-level nodes of `tree` that overlap `[from, to)`, each with its offset, found by descending
 * the balanced (anonymous) nodes the parser groups long sibling lists into; null when one of them is
 * a packed buffer, which only the whole tree can highlight. `highlightTree` given the whole tree
 * would step through every top-level node before the range one by one: for a 10 MB Markdown file,
 * hundreds of thousands of blocks and tens of milliseconds per request.
 */
function topLevelPieces(tree: Tree, from: number, to: number): { tree: Tree; offset: number }[] | null {
  // The top node's own style or mount would be lost on its children highlighted apart.
  if (tree.prop(NodeProp.mounted) || getStyleTags(tree.topNode)) return null;
  const pieces: { tree: Tree; offset: number }[] = [];
  const descend = (node: Tree, offset: number): boolean => {
    for (let i = 0; i < node.children.length; i++) {
      const child = node.children[i]!;
      const start = offset + node.positions[i]!;
      if (start >= to) break;
      if (start + child.length <= from) continue;
      if (!(child instanceof Tree)) return false;
      if (child.type.isAnonymous) {
        if (!descend(child, start)) return false;
      } else {
        pieces.push({ tree: child, offset: start });
      }
    }
    return true;
  };
  return descend(tree, 0) ? pieces : null;
}

/**
 * The tokens of `tree` inside `range`: sorted, non-overlapping, clipped to the range, with touching
 * spans of the same type joined. `split: false` highlights the whole tree in one pass instead of its
 * top-level nodes one by one; the result is the same, which the tests check.
 */
export function highlightTokens(tree: Tree, length: number, range?: TextRange, split = true): Token[] {
  const { from, to } = clampRange(range, length);
  const tokens: Token[] = [];
  if (from >= to) return tokens;
  const emit = (offset: number) => (spanFrom: number, spanTo: number, classes: string) => {
    const type = tokenTypeOf(classes);
    if (!type) return;
    const last = tokens.at(-1);
    const start = Math.max(spanFrom + offset, from, last ? last.to : 0);
    const end = Math.min(spanTo + offset, to);
    if (start >= end) return;
    if (last && last.to === start && last.type === type) last.to = end;
    else tokens.push({ from: start, to: end, type });
  };
  const pieces = split ? topLevelPieces(tree, from, to) : null;
  if (pieces) {
    for (const { tree: piece, offset } of pieces) {
      const pieceFrom = Math.max(from, offset) - offset;
      const pieceTo = Math.min(to, offset + piece.length) - offset;
      highlightTree(piece, highlighters, emit(offset), pieceFrom, pieceTo);
    }
  } else {
    highlightTree(tree, highlighters, emit(0), from, to);
  }
  return tokens;
}

/**
 * How far past a range the text is parsed before its tokens are taken. A token's class can depend on
 * what follows it (a setext underline makes the paragraph above a heading, `=>` makes a parenthesised
 * list parameters), so stopping right at the range's end could colour its last line differently from
 * the whole document; 4 KB of lookahead settles all but freak cases at negligible cost.
 */
const lookahead = 4_096;

/**
 * The tokens of `text` inside `range`, from `cache`'s tree of it, parsed from the start of the text
 * (so every token is coloured in its document context) but, when nothing was parsed yet, no further
 * than just past the range.
 */
export function tokensIn(cache: ParseCache, text: string, range?: TextRange): Token[] {
  const clamped = clampRange(range, text.length);
  if (clamped.from >= clamped.to) return [];
  const tree = cache.tree(text, clamped.to + lookahead);
  return highlightTokens(tree, text.length, clamped);
}

/**
 * Parses in slices what {@link tokensIn} with `range` (or, without one, an outline) will need, so
 * that call answers from `cache` without blocking (see {@link ParseCache.prepare}).
 */
export function prepareIn(cache: ParseCache, text: string, range?: TextRange): Promise<void> {
  if (!range) return cache.prepare(text);
  const clamped = clampRange(range, text.length);
  return cache.prepare(text, clamped.to + lookahead);
}
