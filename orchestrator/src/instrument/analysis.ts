// What the local instrument knows of a text: its sentences and their tokens (lemma, part of speech,
// stop word), as the NLP adapter gives them. The scoring cores are pure functions of this.

/** One token of a text. */
export interface AnalysedToken {
  /** As written. */
  readonly value: string;
  /** Base form, lower case ("journals" → "journal", "grew" → "grow"). */
  readonly lemma: string;
  /** Universal part of speech: NOUN, PROPN, ADJ, VERB, PUNCT, … */
  readonly pos: string;
  /** word, number, punctuation, email, url, symbol, … */
  readonly kind: string;
  /** A function word (the, of, is, …). */
  readonly stop: boolean;
  /** Inside a negation ("do n't *like this bug*"). */
  readonly negated: boolean;
}

/** One sentence of a text. */
export interface AnalysedSentence {
  /** The sentence as written, trimmed. */
  readonly text: string;
  /** The NLP library's importance of the sentence among the text's sentences, 0–1. */
  readonly importance: number;
  readonly tokens: readonly AnalysedToken[];
}

/** A text, analysed: its non-empty sentences in order. */
export interface Analysis {
  readonly sentences: readonly AnalysedSentence[];
}

/** Parts of speech that carry content: what summaries, keywords and embeddings count. */
const CONTENT_POS: ReadonlySet<string> = new Set(['NOUN', 'PROPN', 'ADJ', 'VERB']);

/** Whether `token` carries content: a word of two or more characters, with a letter, not a stop word. */
export function isContent(token: AnalysedToken): boolean {
  return (
    (token.kind === 'word' || token.kind === 'number') &&
    !token.stop &&
    CONTENT_POS.has(token.pos) &&
    token.lemma.length >= 2 &&
    /\p{L}/u.test(token.lemma)
  );
}

/** The content terms (lemmas) of `sentence`, in order, repeats kept. */
export function contentTerms(sentence: AnalysedSentence): string[] {
  return sentence.tokens.filter(isContent).map((t) => t.lemma);
}

/** How often each item of `terms` occurs. */
export function frequencies(terms: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}
