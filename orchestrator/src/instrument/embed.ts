// The local embedding: hashed TF-IDF (the "hashing trick" of Weinberger et al., 2009). Content words
// and adjacent pairs of them are hashed into the requested number of dimensions with a hashed sign,
// weighted by sublinear term frequency times IDF over the text's own sentences, and L2-normalised.
// Texts that share words get close vectors; it knows no synonyms: it is not a neural embedding.
import { type Analysis, contentTerms } from './analysis.js';

/** 0.5: a pair of adjacent words counts half as much as a word. */
const BIGRAM_WEIGHT = 0.5;

/**
 * The embedding of `text` (analysed), `dimensions` long, L2 norm 1 (all zeros for a text with no
 * content words). IDF is smoothed over the text's sentences, ln((1 + S) / (1 + df)) + 1, so words
 * spread over every sentence weigh less than words particular to a few.
 */
export function embed(text: Analysis, dimensions: number): number[] {
  const perSentence = text.sentences.map((s) => {
    const words = contentTerms(s);
    const pairs = words.slice(1).map((w, i) => `${words[i]} ${w}`);
    return { words, pairs };
  });
  const weights = new Map<string, number>();
  const documentFrequency = new Map<string, number>();
  for (const { words, pairs } of perSentence) {
    for (const t of words) weights.set(t, (weights.get(t) ?? 0) + 1);
    for (const t of pairs) weights.set(t, (weights.get(t) ?? 0) + BIGRAM_WEIGHT);
    for (const t of new Set([...words, ...pairs]))
      documentFrequency.set(t, (documentFrequency.get(t) ?? 0) + 1);
  }
  const sentences = text.sentences.length;
  const vector = new Array<number>(dimensions).fill(0);
  for (const [term, tf] of weights) {
    const idf = Math.log((1 + sentences) / (1 + (documentFrequency.get(term) ?? 0))) + 1;
    const h = fnv1a(term);
    const slot = h % dimensions;
    const sign = fnv1a(term, SIGN_SEED) & 1 ? -1 : 1;
    vector[slot] = (vector[slot] ?? 0) + sign * (1 + Math.log(tf)) * idf;
  }
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0));
  return norm === 0 ? vector : vector.map((v) => v / norm);
}

const FNV_OFFSET = 0x811c9dc5;
/** A different offset basis gives an independent hash for the sign. */
const SIGN_SEED = 0x9747b28c;

/** 32-bit FNV-1a of `text`'s UTF-16 code units: stable across processes and platforms. */
export function fnv1a(text: string, seed = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Cosine similarity of two embeddings of the same length (their dot product, once normalised). */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
