// `split-text`: text into a list of paragraphs, sentences (wink-nlp's sentence boundaries, which
// know "Mr." and "3.5") or fixed-size chunks. A paragraph or sentence longer than the chunk size is
// cut, at white space where it can be.
import { sentencesOf } from '../instrument/wink.js';
import { packageVersion } from './package-version.js';
import type { Step } from './Step.js';
import { stepParams, textInput } from './step-inputs.js';

/** How `split-text` cuts. */
export type SplitBy = 'paragraph' | 'sentence' | 'characters';

/** Splits a text into its sentences, as written. */
export type SentenceSplitter = (text: string) => Promise<string[]>;

/**
 * `text` split `by` paragraph (blank lines), sentence or characters; every chunk at most `size`
 * characters (a surrogate pair is never cut in half); paragraphs and sentences trimmed; none empty.
 */
export async function splitText(
  text: string,
  by: SplitBy,
  size: number,
  sentences: SentenceSplitter = sentencesOf,
): Promise<string[]> {
  const units =
    by === 'paragraph'
      ? text.split(/\r?\n[ \t]*(?:\r?\n[ \t]*)+/)
      : by === 'sentence'
        ? await sentences(text)
        : [text];
  const chunks: string[] = [];
  for (const unit of units) {
    const trimmed = by === 'characters' ? unit : unit.trim();
    for (const piece of cut(trimmed, size, by !== 'characters')) {
      const chunk = by === 'characters' ? piece : piece.trim();
      if (chunk !== '') chunks.push(chunk);
    }
  }
  return chunks;
}

/**
 * `text` in pieces of at most `size` characters; with `atSpace`, a piece ends at the last white
 * space before the limit when there is one. Never cuts a surrogate pair.
 */
function* cut(text: string, size: number, atSpace: boolean): Generator<string> {
  let start = 0;
  while (text.length - start > size) {
    let end = start + size;
    if (isLowSurrogate(text.charCodeAt(end)) && end - 1 > start) end--;
    if (atSpace && !/\s/.test(text.charAt(end))) {
      const space = text.slice(start, end).search(/\s\S*$/);
      if (space > 0) end = start + space + 1;
    }
    yield text.slice(start, end);
    start = end;
  }
  if (start < text.length) yield text.slice(start);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** `split-text`: splits its `text` input into `chunks`. */
export function splitTextStep(sentences: SentenceSplitter = sentencesOf): Step {
  return {
    type: 'split-text',
    // Sentence boundaries are wink-nlp's and its model's.
    version: `1+wink-nlp.${packageVersion('wink-nlp')}+model.${packageVersion('wink-eng-lite-web-model')}`,
    deterministic: true,
    async run(context) {
      const { by, size } = stepParams('split-text', context);
      return { chunks: await splitText(textInput('split-text', context, 'text'), by, size, sentences) };
    },
  };
}
