// The local summarizer: extractive. It keeps the text's most important sentences, in their order,
// scoring each by wink-nlp's sentence importance and by how frequent its content words are in the
// whole text (Luhn's measure); sentences with the focus words score higher. Nothing is generated.
import { type AnalysedSentence, type Analysis, contentTerms, frequencies } from './analysis.js';

/** How long a summary is, in sentences. */
export const SUMMARY_SENTENCES = { short: 2, medium: 4, long: 8 } as const;
export type SummaryLength = keyof typeof SUMMARY_SENTENCES;

/** 1: a sentence with every focus word outranks any sentence without one. */
const FOCUS_WEIGHT = 1;

/**
 * The summary of `text` (analysed): its `length`'s number of most important sentences, joined in
 * the order they appear. `focus` terms (lemmas) raise the sentences that contain them. A text with
 * no more sentences than that is returned whole.
 */
export function summarize(text: Analysis, length: SummaryLength, focus: ReadonlySet<string>): string {
  const { sentences } = text;
  const wanted = SUMMARY_SENTENCES[length];
  if (sentences.length <= wanted) return sentences.map((s) => s.text).join(' ');
  const scores = scoreSentences(sentences, focus);
  const chosen = sentences
    .map((_, index) => index)
    .sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b)
    .slice(0, wanted)
    .sort((a, b) => a - b);
  return chosen.map((i) => sentences[i]?.text).join(' ');
}

/**
 * Each sentence's score: half wink's importance, half the mean frequency of its content words
 * (scaled to the most frequent word), plus {@link FOCUS_WEIGHT} × the share of focus words it has.
 */
export function scoreSentences(sentences: readonly AnalysedSentence[], focus: ReadonlySet<string>): number[] {
  const terms = sentences.map(contentTerms);
  const tf = frequencies(terms.flat());
  const top = Math.max(1, ...tf.values());
  return sentences.map((sentence, i) => {
    const own = terms[i] ?? [];
    const luhn = own.length === 0 ? 0 : own.reduce((sum, t) => sum + (tf.get(t) ?? 0) / top, 0) / own.length;
    const lemmas = new Set(sentence.tokens.map((t) => t.lemma));
    const focusShare = focus.size === 0 ? 0 : [...focus].filter((f) => lemmas.has(f)).length / focus.size;
    return 0.5 * sentence.importance + 0.5 * luhn + FOCUS_WEIGHT * focusShare;
  });
}
