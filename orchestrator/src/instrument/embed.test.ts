// Tests of the local embedding's pure core: stable hashing, length, unit norm, zeros for no words.
import { describe, expect, it } from 'vitest';
import type { AnalysedToken, Analysis } from './analysis.js';
import { cosine, embed, fnv1a } from './embed.js';

/** A hand-made analysis: each sentence a list of content nouns. */
function nouns(...sentences: string[][]): Analysis {
  const token = (word: string): AnalysedToken => ({
    value: word,
    lemma: word,
    pos: 'NOUN',
    kind: 'word',
    stop: false,
    negated: false,
  });
  return {
    sentences: sentences.map((words) => ({ text: words.join(' '), importance: 0, tokens: words.map(token) })),
  };
}

describe('embed (hashed TF-IDF)', () => {
  it('hashes with 32-bit FNV-1a, the same in every process', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('gives a vector of the requested length with L2 norm 1, the same for the same text', () => {
    const text = nouns(['journal', 'record', 'fsync'], ['journal', 'crash']);
    const vector = embed(text, 64);
    expect(vector).toHaveLength(64);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 12);
    expect(embed(text, 64)).toEqual(vector);
  });

  it('gives all zeros for a text with no content words', () => {
    expect(embed({ sentences: [] }, 16)).toEqual(new Array(16).fill(0));
  });

  it('puts texts that share words closer than texts that do not', () => {
    const a = embed(nouns(['journal', 'record', 'fsync']), 256);
    const b = embed(nouns(['journal', 'record', 'crash']), 256);
    const c = embed(nouns(['banana', 'fruit', 'market']), 256);
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c));
  });
});
