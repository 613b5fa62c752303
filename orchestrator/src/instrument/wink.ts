// wink-nlp with its English model (shipped inside its npm package: no download, no network), loaded
// once per process on first use, and the one place that turns its output into an Analysis.
import type { ItsFunction, WinkMethods } from 'wink-nlp';
import type { AnalysedSentence, AnalysedToken, Analysis } from './analysis.js';

let loading: Promise<WinkMethods> | undefined;

/** wink-nlp, loaded on first call (about 200 ms) and shared by every later one. */
export function loadWink(): Promise<WinkMethods> {
  loading ??= (async () => {
    const [{ default: winkNLP }, { default: model }] = await Promise.all([
      import('wink-nlp'),
      import('wink-eng-lite-web-model'),
    ]);
    return winkNLP(model);
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/** `text`'s sentences and tokens, as wink-nlp reads them. Empty sentences are left out. */
export async function analyse(text: string): Promise<Analysis> {
  const nlp = await loadWink();
  const { its } = nlp;
  const doc = nlp.readDoc(text);
  const tokens = doc.tokens();
  // wink's `out` is typed loosely (`T[] | string[]`); these are the shapes it documents.
  const values = tokens.out(its.value) as string[];
  // Typed with a third `addons` argument that wink passes itself.
  const lemmas = tokens.out(its.lemma as unknown as ItsFunction<string>) as string[];
  const pos = tokens.out(its.pos) as string[];
  const kinds = tokens.out(its.type) as string[];
  const stops = tokens.out(its.stopWordFlag) as boolean[];
  const negations = tokens.out(its.negationFlag) as boolean[];
  const all: AnalysedToken[] = values.map((value, i) => ({
    value,
    lemma: (lemmas[i] ?? value).toLowerCase(),
    pos: pos[i] ?? 'X',
    kind: kinds[i] ?? 'word',
    stop: stops[i] ?? false,
    negated: negations[i] ?? false,
  }));
  const spans = doc.sentences().out(its.span) as unknown as [number, number][];
  const texts = doc.sentences().out();
  const importance = new Map(
    (doc.out(its.sentenceWiseImportance) as unknown as { index: number; importance: number }[]).map((s) => [
      s.index,
      s.importance,
    ]),
  );
  const sentences: AnalysedSentence[] = [];
  spans.forEach(([start, end], index) => {
    const sentenceText = (texts[index] ?? '').trim();
    if (sentenceText === '') return;
    sentences.push({
      text: sentenceText,
      importance: importance.get(index) ?? 0,
      tokens: all.slice(start, end + 1),
    });
  });
  return { sentences };
}

/** `text`'s sentences as written (inner line breaks and spacing kept), by wink-nlp's sentence boundaries. */
export async function sentencesOf(text: string): Promise<string[]> {
  const nlp = await loadWink();
  return nlp.readDoc(text).sentences().out();
}
