// ArtifactSearchIndex: full-text search over text artifacts' content and every artifact's metadata,
// with MiniSearch. Built on the first search from the adapter's feed, then caught up before each
// search with what changed since, so it never has to be kept in step with writes by hand.
import type { ArtifactHash } from '@symphony/schemas';
import MiniSearch from 'minisearch';
import type { ArtifactHit } from '../ArtifactStore.js';
import type { CatalogSearchFields } from './catalog.js';

/** One changed artifact: its metadata, and its text when the index asked for it. */
export interface SearchEntry extends CatalogSearchFields {
  /** The artifact's text (at most 1 MiB of it); absent for binary artifacts or when not asked. */
  readonly text?: string | undefined;
}

/** A batch of changed artifacts and the cursor after them. */
export interface SearchBatch {
  readonly entries: readonly SearchEntry[];
  readonly cursor: number;
}

/**
 * Where the index learns what changed. `changes(0)` gives every artifact; `changes(c)` those whose
 * metadata changed after cursor `c`. `wantsText(hash)` says whether to read that artifact's text
 * (only for text artifacts the index has not seen: content never changes under a hash).
 */
export interface SearchFeed {
  changes(cursor: number, wantsText: (hash: ArtifactHash) => boolean): AsyncIterable<SearchBatch>;
}

interface IndexedDocument {
  readonly id: string;
  readonly text?: string;
  readonly names?: string;
  readonly tags?: string;
  readonly mediaType?: string;
  readonly producers?: string;
}

/** What the index keeps per artifact besides MiniSearch: what a hit shows, and the metadata already indexed. */
interface Known {
  readonly mediaType: string;
  readonly size: number;
  names: readonly string[];
  /** Every name, tag and producer indexed so far; metadata only grows, so a change adds the new ones. */
  readonly indexed: Set<string>;
  /** Delta documents added for this artifact. */
  deltas: number;
}

/** Names and tags are what a person searches for by intent; they outrank a word inside the text. */
const BOOST = { names: 3, tags: 2, text: 1, mediaType: 1, producers: 1 };

/** MiniSearch's own word boundaries: whitespace and punctuation, so `reports/weekly` is two words. */
const SPLIT = /[\n\r\p{Z}\p{P}]+/u;

/**
 * Lucene's English stop words (`EnglishAnalyzer.ENGLISH_STOP_WORDS_SET`): they occur in nearly every
 * text, so indexing them costs a posting in almost every document (a third of a short text's words)
 * and finds nothing a person searches for. Dropped from texts and queries alike.
 */
const STOP_WORDS = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split(
    ' ',
  ),
);

/** Media type words nearly every artifact has: not worth indexing. */
const GENERIC_MEDIA_WORDS = new Set(['text', 'plain', 'application', 'octet', 'stream']);

/**
 * Each distinct word of a field once, lowercased, stop words left out. Indexing a word once per
 * artifact rather than once per occurrence bounds a 1 MiB text by its vocabulary; ranking loses
 * only term frequency, which BM25 saturates after a few occurrences anyway.
 */
function distinctWords(text: string, field?: string): string[] {
  // A media type is searched by what sets it apart (`json`, `markdown`): its parameters
  // (`charset=utf-8`) and the generic words nearly every artifact shares (`text`, `plain`,
  // `application`) would make a query for "text" match the whole store.
  const media = field === 'mediaType';
  const source = media ? text.split(';', 1)[0]! : text;
  const words = new Set<string>();
  for (const word of source.split(SPLIT)) {
    const term = word.toLowerCase();
    if (term && !STOP_WORDS.has(term) && !(media && GENERIC_MEDIA_WORDS.has(term))) words.add(term);
  }
  return [...words];
}

/** The words of a query, lowercased, stop words left out (as they were when indexed). */
function queryWords(text: string): string[] {
  return text
    .split(SPLIT)
    .map((word) => word.toLowerCase())
    .filter((term) => term && !STOP_WORDS.has(term));
}

/**
 * A MiniSearch index with one document per artifact (`<hash>`: its text and metadata when first
 * seen) and, as names, tags or producers are added later, small delta documents (`<hash>+<n>`)
 * holding only the new ones. A hit's score is the sum over an artifact's documents.
 */
export class ArtifactSearchIndex {
  readonly #index = new MiniSearch<IndexedDocument>({
    fields: ['text', 'names', 'tags', 'mediaType', 'producers'],
    storeFields: [],
    tokenize: distinctWords,
    processTerm: (term) => term,
    searchOptions: {
      boost: BOOST,
      tokenize: queryWords,
      processTerm: (term) => term,
      // The last word may be unfinished, as someone types it; earlier words match whole.
      prefix: (term, index, terms) => index === terms.length - 1 && term.length >= 3,
    },
  });
  readonly #known = new Map<ArtifactHash, Known>();
  /** Delta documents in the index: while there are none, a search needs no merging. */
  #deltas = 0;
  #cursor = 0;
  #catchingUp: Promise<void> = Promise.resolve();

  constructor(private readonly feed: SearchFeed) {}

  /** The best `limit` hits for `query`, after taking in every change the feed has. */
  async search(query: string, limit: number): Promise<ArtifactHit[]> {
    await this.catchUp();
    const results = this.#index.search(query);
    let best: [ArtifactHash, number][];
    if (this.#deltas === 0) {
      // One document per artifact: MiniSearch's order (best first) is the answer.
      best = results.slice(0, limit).map((r) => [r.id as ArtifactHash, r.score]);
    } else {
      const scores = new Map<ArtifactHash, number>();
      for (const result of results) {
        const hash = (result.id as string).slice(0, 64) as ArtifactHash;
        scores.set(hash, (scores.get(hash) ?? 0) + result.score);
      }
      best = topByScore(scores, limit);
    }
    return best.map(([hash, score]) => {
      const known = this.#known.get(hash)!;
      return { hash, score, mediaType: known.mediaType, size: known.size, names: [...known.names] };
    });
  }

  /** Takes in what changed since the last catch-up; concurrent callers share one pass at a time. */
  catchUp(): Promise<void> {
    // A failed pass (a read error) fails its callers only; the next one starts from where it stopped.
    const pass = this.#catchingUp.catch(() => undefined).then(() => this.#pull());
    this.#catchingUp = pass;
    return pass;
  }

  async #pull(): Promise<void> {
    const wantsText = (hash: ArtifactHash) => !this.#known.has(hash);
    for await (const batch of this.feed.changes(this.#cursor, wantsText)) {
      for (const entry of batch.entries) this.#take(entry);
      this.#cursor = batch.cursor;
    }
  }

  #take(entry: SearchEntry): void {
    const known = this.#known.get(entry.hash);
    const values = [
      ...entry.names,
      ...entry.tags.map((t) => `tag:${t}`),
      ...entry.producers.map((p) => `by:${p}`),
    ];
    if (!known) {
      this.#known.set(entry.hash, {
        mediaType: entry.mediaType,
        size: entry.size,
        names: entry.names,
        indexed: new Set(values),
        deltas: 0,
      });
      this.#index.add({
        id: entry.hash,
        ...(entry.text ? { text: entry.text } : {}),
        names: entry.names.join(' '),
        tags: entry.tags.join(' '),
        mediaType: entry.mediaType,
        producers: entry.producers.join(' '),
      });
      return;
    }
    known.names = entry.names;
    const fresh = (value: string) => !known.indexed.has(value);
    const names = entry.names.filter(fresh);
    const tags = entry.tags.filter((t) => fresh(`tag:${t}`));
    const producers = entry.producers.filter((p) => fresh(`by:${p}`));
    if (names.length + tags.length + producers.length === 0) return;
    for (const value of values) known.indexed.add(value);
    this.#deltas++;
    this.#index.add({
      id: `${entry.hash}+${++known.deltas}`,
      names: names.join(' '),
      tags: tags.join(' '),
      producers: producers.join(' '),
    });
  }
}

/** The `limit` highest-scored entries, best first (ties by hash), without sorting all of them. */
function topByScore(scores: ReadonlyMap<ArtifactHash, number>, limit: number): [ArtifactHash, number][] {
  const top: [ArtifactHash, number][] = [];
  const better = (a: [ArtifactHash, number], b: [ArtifactHash, number]) =>
    a[1] > b[1] || (a[1] === b[1] && a[0] < b[0]);
  for (const entry of scores) {
    if (top.length === limit && !better(entry, top[top.length - 1]!)) continue;
    let i = top.length;
    while (i > 0 && better(entry, top[i - 1]!)) i--;
    top.splice(i, 0, entry);
    if (top.length > limit) top.pop();
  }
  return top;
}
