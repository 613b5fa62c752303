// The local keyword extractor: RAKE (Rose et al., 2010, "Automatic keyword extraction from
// individual documents") over wink-nlp's tokens. Candidate phrases are runs of nouns, proper nouns
// and adjectives; a word scores its degree over its frequency; a phrase the sum of its words.
import type { AnalysedToken, Analysis } from './analysis.js';

/** Parts of speech a key phrase is made of. */
const PHRASE_POS: ReadonlySet<string> = new Set(['NOUN', 'PROPN', 'ADJ']);
/** 4 words: longer runs are split, since RAKE favours long phrases and they read as fragments. */
const MAX_PHRASE_WORDS = 4;

interface Phrase {
  /** Lemmas, the phrase's identity ("journal state" for "journals' states"). */
  readonly words: readonly string[];
  /** As first written. */
  readonly text: string;
}

/** The `count` key words and phrases of `text`, best first (ties: more frequent, then earlier). */
export function extractKeywords(text: Analysis, count: number): string[] {
  const phrases = candidatePhrases(text);
  const frequency = new Map<string, number>();
  const degree = new Map<string, number>();
  for (const { words } of phrases) {
    for (const w of words) {
      frequency.set(w, (frequency.get(w) ?? 0) + 1);
      degree.set(w, (degree.get(w) ?? 0) + words.length);
    }
  }
  const unique = new Map<string, { phrase: Phrase; first: number; seen: number }>();
  phrases.forEach((phrase, index) => {
    const key = phrase.words.join(' ');
    const known = unique.get(key);
    if (known) known.seen++;
    else unique.set(key, { phrase, first: index, seen: 1 });
  });
  const score = (p: Phrase) =>
    p.words.reduce((s, w) => s + (degree.get(w) ?? 0) / (frequency.get(w) ?? 1), 0);
  return [...unique.values()]
    .map((u) => ({ ...u, score: score(u.phrase) }))
    .sort((a, b) => b.score - a.score || b.seen - a.seen || a.first - b.first)
    .slice(0, count)
    .map((u) => u.phrase.text);
}

/** Runs of phrase words, split at everything else and at {@link MAX_PHRASE_WORDS}. */
function candidatePhrases(text: Analysis): Phrase[] {
  const phrases: Phrase[] = [];
  for (const sentence of text.sentences) {
    let run: AnalysedToken[] = [];
    const close = () => {
      if (run.length > 0) {
        phrases.push({ words: run.map((t) => t.lemma), text: run.map(surface).join(' ') });
      }
      run = [];
    };
    for (const token of sentence.tokens) {
      if (!isPhraseWord(token)) {
        close();
        continue;
      }
      run.push(token);
      if (run.length === MAX_PHRASE_WORDS) close();
    }
    close();
  }
  return phrases;
}

function isPhraseWord(token: AnalysedToken): boolean {
  return (
    token.kind === 'word' &&
    !token.stop &&
    PHRASE_POS.has(token.pos) &&
    token.lemma.length >= 2 &&
    /\p{L}/u.test(token.lemma)
  );
}

/** A word as a keyword shows it: proper nouns and acronyms as written, other words in lower case. */
function surface(token: AnalysedToken): string {
  return token.pos === 'PROPN' || /^\p{Lu}{2,}/u.test(token.value) ? token.value : token.value.toLowerCase();
}
