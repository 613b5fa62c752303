// A language's cache of its last parse tree, reused incrementally across edits and parsed in slices
// so other callers are not kept waiting.
import { type Parser, type PartialParse, type Tree, TreeFragment } from '@lezer/common';

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
  /** Parses under way in slices. */
  readonly #preparing: { text: string; upTo: number; done: Promise<void> }[] = [];

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
    const started = this.#start(text, upTo);
    if ('tree' in started) return started.tree;
    let tree: Tree | null = null;
    while (!tree) tree = started.parse.advance();
    return this.#store(text, tree, started);
  }

  /**
   * Parses `text` up to `upTo` like {@link tree}, but in slices of about `sliceMs`, letting the event
   * loop run between them, so the {@link tree} call that follows answers from the cache at once. A
   * 10 MB Markdown file takes seconds to parse; in one piece that stalled every other caller of
   * the engine for as long.
   */
  prepare(text: string, upTo = text.length, sliceMs = 10): Promise<void> {
    // Two callers asking about the same large text share one parse.
    const needed = Math.min(text.length, Math.max(0, upTo));
    const running = this.#preparing.find((p) => p.text === text && p.upTo >= needed);
    if (running) return running.done;
    const started = this.#start(text, upTo);
    if ('tree' in started) return Promise.resolve();
    const entry = { text, upTo: needed, done: Promise.resolve() };
    this.#preparing.push(entry);
    entry.done = (async () => {
      try {
        let tree: Tree | null = null;
        while (!tree) {
          const until = performance.now() + sliceMs;
          while (!tree && performance.now() < until) tree = started.parse.advance();
          if (!tree) await nextTurn();
        }
        this.#store(text, tree, started);
      } finally {
        const index = this.#preparing.indexOf(entry);
        if (index >= 0) this.#preparing.splice(index, 1);
      }
    })();
    return entry.done;
  }

  /** A remembered tree complete up to `upTo`, or a parse started from whatever can be reused. */
  #start(
    text: string,
    upTo: number,
  ): { tree: Tree } | { parse: PartialParse; needed: number; fragments: readonly TreeFragment[] } {
    const needed = Math.min(text.length, Math.max(0, upTo));
    const index = this.#entries.findIndex((entry) => entry.text === text);
    const known = index >= 0 ? this.#entries.splice(index, 1)[0]! : undefined;
    if (known && known.parsedTo >= needed) {
      this.#entries.unshift(known);
      return { tree: known.tree };
    }
    if (known) this.#entries.unshift(known);
    const previous = known ?? this.#entries[0];
    const fragments = known ? known.fragments : previous ? reusableFragments(previous, text) : [];
    const parse = this.#parser.startParse(text, fragments);
    if (needed < text.length) parse.stopAt(needed);
    return { parse, needed, fragments };
  }

  #store(text: string, tree: Tree, started: { needed: number; fragments: readonly TreeFragment[] }): Tree {
    const partial = started.needed < text.length;
    // Another call may have stored this text meanwhile (prepare yields); keep one entry per text.
    const index = this.#entries.findIndex((entry) => entry.text === text);
    if (index >= 0) this.#entries.splice(index, 1);
    this.#entries.unshift({
      text,
      tree,
      parsedTo: started.needed,
      fragments: TreeFragment.addTree(tree, partial ? started.fragments : [], partial),
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

/**
 * Resolves after other queued work has run: `setImmediate` in Node; in a browser a message to
 * itself (`setTimeout(0)` is clamped to 4 ms once nested).
 */
function nextTurn(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
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
