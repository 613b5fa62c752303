import { type Parser, type Tree, TreeFragment } from '@lezer/common';

interface Entry {
  text: string;
  tree: Tree;
  /** How far `tree` is complete; below `text.length` after a parse stopped early. */
  parsedTo: number;
  fragments: readonly TreeFragment[];
}

/**
 * Remembers the syntax trees of the last few texts a parser was given, so asking for the tokens of
 * one screen after another of the same document parses it once, and an edited document is reparsed
 * incrementally: only the part around the change is parsed again, the rest of the old tree is reused.
 * A tree is parsed only as far as asked; a later request for more resumes where it stopped.
 */
export class ParseCache {
  readonly #parser: Parser;
  readonly #capacity: number;
  /** Most recently used first. */
  readonly #entries: Entry[] = [];

  /**
   * @param capacity how many texts to remember; 4 covers a few documents open side by side while
   *   bounding what is kept alive (each entry holds its text and its tree).
   */
  constructor(parser: Parser, capacity = 4) {
    this.#parser = parser;
    this.#capacity = Math.max(1, capacity);
  }

  /**
   * The syntax tree of `text`, complete at least up to `upTo` (the whole text by default), parsed now
   * or remembered from an earlier call. Past `upTo` the tree may be missing or provisional.
   */
  tree(text: string, upTo = text.length): Tree {
    const needed = Math.min(text.length, Math.max(0, upTo));
    const index = this.#entries.findIndex((entry) => entry.text === text);
    const known = index >= 0 ? this.#entries.splice(index, 1)[0]! : undefined;
    if (known && known.parsedTo >= needed) {
      this.#entries.unshift(known);
      return known.tree;
    }
    const previous = this.#entries[0];
    const fragments = known ? known.fragments : previous ? reusableFragments(previous, text) : [];
    const parse = this.#parser.startParse(text, fragments);
    if (needed < text.length) parse.stopAt(needed);
    let tree: Tree | null = null;
    while (!tree) tree = parse.advance();
    const partial = needed < text.length;
    this.#entries.unshift({
      text,
      tree,
      parsedTo: needed,
      fragments: TreeFragment.addTree(tree, partial ? fragments : [], partial),
    });
    this.#entries.length = Math.min(this.#entries.length, this.#capacity);
    return tree;
  }
}

/**
 * The parts of `previous`'s tree still valid for `text`, taking the edit between them to be the span
 * between their common prefix and common suffix. A different document shares (almost) nothing, so
 * the scan stops at once and nothing is reused.
 */
function reusableFragments(previous: Entry, text: string): readonly TreeFragment[] {
  const old = previous.text;
  const shorter = Math.min(old.length, text.length);
  let prefix = 0;
  while (prefix < shorter && old.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix < shorter - prefix &&
    old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)
  ) {
    suffix++;
  }
  if (prefix === 0 && suffix === 0) return [];
  return TreeFragment.applyChanges(previous.fragments, [
    { fromA: prefix, toA: old.length - suffix, fromB: prefix, toB: text.length - suffix },
  ]);
}
