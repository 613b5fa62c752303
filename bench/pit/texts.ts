/**
 * Seeded short texts and search queries for the search case: what a workspace's text artifacts look
 * like (summaries, review notes, keyword lists of 20–80 words), drawn from a Zipf-distributed
 * vocabulary of common English, workspace terms and a long tail of rarer words, with `lib0/prng`.
 */
import * as prng from 'lib0/prng';

/** Words that occur in nearly every text; queries never consist of them. */
const FUNCTION_WORDS =
  `the of and to a in is that for it with as was on be by this are from at or an not which
but have has were all can we they their will more one its been also when there into than only other some these
after new most`.split(/\s+/);

const CONTENT_WORDS = `workflow node document summary review code test function error build deploy release
model prompt token query server client request response latency cache journal artifact pipeline schema field
value user team project issue branch merge commit feature design layout editor cursor text paragraph section
chapter meeting decision action owner deadline budget customer report metric dashboard alert incident outage
database index table column migration backup restore storage network timeout retry queue worker thread memory
disk file folder path config option parameter variable type interface class method module package dependency
version update change edit draft comment note link image chart diagram translation language english german
french spanish japanese keyword topic sentiment classify embed vector search result score rank filter map split
join format validate parse render export import sync offline conflict history undo permission role access
token login session account invoice payment order shipping product pricing contract legal privacy security
audit compliance policy risk roadmap milestone sprint estimate priority blocker dependency reviewer approval
onboarding hiring interview feedback survey research experiment hypothesis analysis dataset sample accuracy
benchmark throughput regression profile trace log warning crash recovery snapshot replica cluster region
latency bandwidth quota limit scaling capacity forecast quarter revenue growth churn retention campaign launch
announcement newsletter blog article tutorial guide manual handbook glossary reference appendix figure footnote
citation abstract introduction conclusion method evaluation baseline ablation parameter gradient embedding
transformer tokenizer corpus vocabulary summary extractive abstractive sentence phrase entity relation graph
edge vertex cycle topological scheduler executor operator instrument template canvas palette inspector monitor`.split(
  /\s+/,
);

/** The vocabulary in Zipf rank order: function words first, then content words, then `rare` generated words. */
function vocabulary(gen: prng.PRNG, rare: number): string[] {
  const words = new Set([...FUNCTION_WORDS, ...CONTENT_WORDS]);
  while (words.size < FUNCTION_WORDS.length + CONTENT_WORDS.length + rare) words.add(prng.word(gen, 4, 10));
  return [...words];
}

/** Draws ranks 0…n−1 with probability ∝ 1/(rank+1)^s, by binary search over the cumulative weights. */
function zipf(n: number, s: number): (gen: prng.PRNG) => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) cumulative[r] = total += 1 / (r + 1) ** s;
  return (gen) => {
    const x = prng.real53(gen) * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const TAGS = ['summary', 'review', 'notes', 'keywords', 'translation', 'report', 'draft', 'weekly'];

/** One generated artifact: its text and the tags it is stored with. */
export interface GeneratedText {
  readonly text: string;
  readonly tags: string[];
}

/** A seeded corpus: `texts(n)` gives n texts, `queries(n)` n queries a person might type. */
export class TextCorpus {
  readonly #gen: prng.PRNG;
  readonly #words: string[];
  readonly #rank: (gen: prng.PRNG) => number;
  readonly #queryRank: (gen: prng.PRNG) => number;

  constructor(seed: number) {
    this.#gen = prng.create(seed);
    this.#words = vocabulary(this.#gen, 20_000);
    this.#rank = zipf(this.#words.length, 1.05);
    this.#queryRank = zipf(this.#words.length - FUNCTION_WORDS.length, 0.9);
  }

  /** `n` texts of 20–80 words in sentences of 6–16 words; text `i` of index 0 carries `marker`, to check the index. */
  texts(n: number, marker: string): GeneratedText[] {
    const gen = this.#gen;
    const out: GeneratedText[] = [];
    for (let i = 0; i < n; i++) {
      const length = prng.int32(gen, 20, 80);
      const parts: string[] = i === 0 ? [marker] : [];
      let sentence = 0;
      for (let w = 0; w < length; w++) {
        let word = this.#words[this.#rank(gen)]!;
        if (sentence === 0) word = word[0]!.toUpperCase() + word.slice(1);
        sentence++;
        if (sentence >= prng.int32(gen, 6, 16) || w === length - 1) {
          word += '.';
          sentence = 0;
        }
        parts.push(word);
      }
      const tags = [prng.oneOf(gen, TAGS)];
      if (prng.bool(gen)) tags.push(prng.oneOf(gen, TAGS));
      out.push({ text: parts.join(' '), tags: [...new Set(tags)] });
    }
    return out;
  }

  /**
   * `n` queries of 1–3 content words (60 % one word, 30 % two, 10 % three); in a third of them the
   * last word is still being typed (its first 3–5 letters, which the index matches as a prefix).
   */
  queries(n: number): string[] {
    const gen = this.#gen;
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const roll = prng.real53(gen);
      const count = roll < 0.6 ? 1 : roll < 0.9 ? 2 : 3;
      const words = Array.from(
        { length: count },
        () => this.#words[FUNCTION_WORDS.length + this.#queryRank(gen)]!,
      );
      const last = words[count - 1]!;
      if (last.length > 5 && prng.real53(gen) < 1 / 3)
        words[count - 1] = last.slice(0, prng.int32(gen, 3, 5));
      out.push(words.join(' '));
    }
    return out;
  }
}
