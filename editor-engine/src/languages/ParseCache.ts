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
  readonly #maxChars: number;
  /** Most recently used first. */
  readonly #entries: Entry[] = [];

  /**
   * @param capacity how many texts to remember; 4 covers a few documents open side by side.
   * @param maxChars how much text, all entries together, to remember beyond the most recent one.
   *   A tree costs tens of bytes per character (a 10 MB Markdown file's tree takes ~460 MB of heap),
   *   and a forgotten tree costs a full reparse (seconds at that size) when its document is asked
   *   about again; 12 M characters keeps one such document alive while another is worked on, and
   *   bounds the cache to about a gigabyte at worst.
   */
  constructor(parser: Parser, capacity = 4, maxChars = 12 * 1024 * 1024) {
    this.#parser = parser;
    this.#capacity = Math.max(1, capacity);
    this.#maxChars = Math.max(0, maxChars);
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
    this.#evict();
    return tree;
  }

  /** Drops the least recently used entries beyond the capacity or the character budget. */
  #evict(): void {
    let chars = 0;
    for (let i = 1; i < this.#entries.length; i++) {
      chars += this.#entries[i]!.text.length;
      if (i >= this.#capacity || chars > this.#maxChars) {
        this.#entries.length = i;
        return;
      }
    }
  }
}

/** Characters compared at a time when looking for the edited span. */
const chunk = 4_096;

/**
 * The parts of `previous`'s tree still valid for `text`, taking the edit between them to be the span
 * between their common prefix and common suffix. A different document shares (almost) nothing, so
 * the scan stops at once and nothing is reused.
 */
function reusableFragments(previous: Entry, text: string): readonly TreeFragment[] {
  const old = previous.text;
  const shorter = Math.min(old.length, text.length);
  // Whole chunks first: comparing slices runs at memcmp speed, a character loop over 10 MB does not.
  let prefix = 0;
  while (
    prefix + chunk <= shorter &&
    old.slice(prefix, prefix + chunk) === text.slice(prefix, prefix + chunk)
  ) {
    prefix += chunk;
  }
  while (prefix < shorter && old.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
  const room = shorter - prefix;
  let suffix = 0;
  while (
    suffix + chunk <= room &&
    old.slice(old.length - suffix - chunk, old.length - suffix) ===
      text.slice(text.length - suffix - chunk, text.length - suffix)
  ) {
    suffix += chunk;
  }
  while (
    suffix < room &&
    old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)
  ) {
    suffix++;
  }
  if (prefix === 0 && suffix === 0) return [];
  return TreeFragment.applyChanges(previous.fragments, [
    { fromA: prefix, toA: old.length - suffix, fromB: prefix, toB: text.length - suffix },
  ]);
}
