// The LocalInstrument on wink-nlp: wink reads the text (sentences, lemmas, parts of speech, stop
// words, sentence importance); the pure cores beside it do the scoring.
import { z } from 'zod';
import { classify, labelTerms } from './classify.js';
import { embed } from './embed.js';
import { extractKeywords } from './keywords.js';
import type { LocalInstrument } from './LocalInstrument.js';
import { type SummaryLength, summarize } from './summarize.js';
import { analyse } from './wink.js';

const Text = z.string();
const Length = z.enum(['short', 'medium', 'long']);
const Count = z.number().int().min(1).max(1000);
const Labels = z.array(z.string().trim().min(1)).min(2);
const Dimensions = z.number().int().min(1).max(65_536);

/** Thrown for arguments a {@link WinkInstrument} method refuses (a programming error, not a user's). */
export class InstrumentInputError extends Error {
  override name = 'InstrumentInputError';
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InstrumentInputError(`WinkInstrument: ${what} is invalid: ${z.prettifyError(parsed.error)}`);
}

/** Lemmas of `text`'s words, lower case, stop words and punctuation left out. */
async function lemmasOf(text: string): Promise<string[]> {
  const { sentences } = await analyse(text);
  return sentences.flatMap((s) => s.tokens.filter((t) => !t.stop && t.kind === 'word').map((t) => t.lemma));
}

/** The local instrument, on wink-nlp and its English model (loaded once per process, on first use). */
export class WinkInstrument implements LocalInstrument {
  async summarize(
    text: string,
    options: { readonly length: SummaryLength; readonly focus: string },
  ): Promise<string> {
    const analysis = await analyse(parse(Text, text, 'text'));
    const focus = new Set(await lemmasOf(parse(Text, options.focus, 'focus')));
    return summarize(analysis, parse(Length, options.length, 'length'), focus);
  }

  async keywords(text: string, count: number): Promise<string[]> {
    return extractKeywords(await analyse(parse(Text, text, 'text')), parse(Count, count, 'count'));
  }

  async classify(text: string, labels: readonly string[]) {
    const analysis = await analyse(parse(Text, text, 'text'));
    const described = [];
    for (const label of parse(Labels, labels, 'labels')) {
      const own = await lemmasOf(label);
      described.push(labelTerms(label, own.length > 0 ? own : [label.trim().toLowerCase()]));
    }
    return classify(analysis, described);
  }

  async embed(text: string, dimensions: number): Promise<number[]> {
    return embed(await analyse(parse(Text, text, 'text')), parse(Dimensions, dimensions, 'dimensions'));
  }
}
