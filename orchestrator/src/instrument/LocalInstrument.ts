// The local instrument port: text operations that run in Symphony's own process with no network and
// no model download: extractive and statistical, never neural. The steps of `summarize`,
// `extract-keywords`, `classify` and `embed` call it when their model is `local`.
import type { Classification } from './classify.js';
import type { SummaryLength } from './summarize.js';

/** Summaries, keywords, labels and embeddings computed locally. Deterministic: same input, same output. */
export interface LocalInstrument {
  /** The text's most important sentences, as written, in their order. */
  summarize(
    text: string,
    options: { readonly length: SummaryLength; readonly focus: string },
  ): Promise<string>;
  /** At most `count` key words and phrases, best first. */
  keywords(text: string, count: number): Promise<string[]>;
  /** Which of `labels` (two or more) fits the text best, and how each scored. */
  classify(text: string, labels: readonly string[]): Promise<Classification>;
  /** A hashed TF-IDF vector, `dimensions` long, L2-normalised. */
  embed(text: string, dimensions: number): Promise<number[]>;
}
