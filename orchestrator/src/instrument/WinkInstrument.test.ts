// Tests of the local instrument on wink-nlp: extractive summaries, keywords, classification by
// keyword overlap and hashed TF-IDF embeddings, all deterministic.
import { describe, expect, it } from 'vitest';
import { cosine } from './embed.js';
import { WinkInstrument } from './WinkInstrument.js';

const instrument = new WinkInstrument();

const ARTICLE = [
  'Symphony runs AI workflows that teams draw together.',
  'The executor journals every state change of a run before it acts on it.',
  'The journal is written with group commit, so many records share one fsync.',
  'When the process is killed, the executor rebuilds each run from the journal and resumes it.',
  'Finished nodes never run again, because their outputs sit in the artifact store.',
  'The artifact store is content-addressed, so identical outputs are stored once.',
  'Cache keys combine the node type, its params and the hashes of its inputs.',
  'The weather was pleasant on the day the design was written.',
  'A write into a document carries a marker, so a crash never writes it twice.',
  'The journal, the artifact store and the cache make runs durable and cheap.',
].join(' ');

describe('WinkInstrument', () => {
  it('summarizes by picking whole sentences, in their order, as many as the length asks', async () => {
    const sentences = ARTICLE.split(/(?<=\.) /);
    for (const [length, count] of [
      ['short', 2],
      ['medium', 4],
      ['long', 8],
    ] as const) {
      const summary = await instrument.summarize(ARTICLE, { length, focus: '' });
      const picked = sentences.filter((s) => summary.includes(s));
      expect(picked, length).toHaveLength(count);
      expect(picked.join(' '), length).toBe(summary);
    }
    const short = await instrument.summarize(ARTICLE, { length: 'short', focus: '' });
    expect(short).not.toContain('weather');
    expect(await instrument.summarize(ARTICLE, { length: 'short', focus: '' })).toBe(short);
  });

  it('raises the sentences that have the focus words', async () => {
    const summary = await instrument.summarize(ARTICLE, { length: 'short', focus: 'weather' });
    expect(summary).toContain('The weather was pleasant');
  });

  it('returns a text shorter than the summary as it is, and nothing for nothing', async () => {
    expect(await instrument.summarize('One sentence. Two sentences.', { length: 'medium', focus: '' })).toBe(
      'One sentence. Two sentences.',
    );
    expect(await instrument.summarize('', { length: 'short', focus: '' })).toBe('');
  });

  it('extracts key phrases, best first, at most as many as asked', async () => {
    const keywords = await instrument.keywords(ARTICLE, 5);
    expect(keywords).toHaveLength(5);
    expect(keywords).toContain('artifact store');
    expect(new Set(keywords).size).toBe(5);
    expect(await instrument.keywords(ARTICLE, 5)).toEqual(keywords);
    expect(await instrument.keywords('', 5)).toEqual([]);
  });

  it('classifies by the words (and synonyms) of each label', async () => {
    const labels = ['bug', 'feature', 'question'];
    expect((await instrument.classify('The app crashes with an exception when I save.', labels)).label).toBe(
      'bug',
    );
    expect((await instrument.classify('Please add support for dark mode.', labels)).label).toBe('feature');
    expect((await instrument.classify('How can I export a workflow?', labels)).label).toBe('question');
    expect(
      (await instrument.classify('I love it, a great and wonderful tool.', ['positive', 'negative'])).label,
    ).toBe('positive');
  });

  it('does not count negated words, and says when no label matched', async () => {
    const negated = await instrument.classify('This is not good at all.', ['positive', 'negative']);
    expect(negated.scores[0]).toBe(0);
    const unmatched = await instrument.classify('Lorem ipsum dolor.', ['alpha', 'beta']);
    expect(unmatched).toEqual({ label: 'alpha', scores: [0, 0], matched: false });
  });

  it('embeds as unit vectors of the requested size; similar texts are closer', async () => {
    const a = await instrument.embed('The executor journals every state change.', 128);
    const b = await instrument.embed('Every state change is journaled by the executor.', 128);
    const c = await instrument.embed('Bananas are a yellow fruit.', 128);
    expect(a).toHaveLength(128);
    expect(Math.hypot(...a)).toBeCloseTo(1, 12);
    expect(cosine(a, b)).toBeGreaterThan(0.5);
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c));
  });
});
