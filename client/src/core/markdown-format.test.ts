// Tests of the editor's Markdown formatting edits: bold, italic and code toggled around a selection,
// a word or a cursor, and links made of a selection.
import { describe, expect, it } from 'vitest';
import { type FormatEdit, type InlineFormat, insertLink, toggleFormat } from './markdown-format.js';

/**
 * Applies an edit to `marked`, text with the selection written in it: `[` anchor … `]` head, or `|`
 * for a cursor. Returns the result written the same way.
 */
function run(marked: string, edit: (text: string, anchor: number, head: number) => FormatEdit): string {
  const { text, anchor, head } = parse(marked);
  const result = edit(text, anchor, head);
  let out = text;
  for (const change of [...result.changes].sort((a, b) => b.from - a.from))
    out = out.slice(0, change.from) + change.insert + out.slice(change.to);
  const { anchor: a, head: h } = result.selection;
  if (a === h) return `${out.slice(0, a)}|${out.slice(a)}`;
  const [from, to] = a < h ? [a, h] : [h, a];
  return `${out.slice(0, from)}[${out.slice(from, to)}]${out.slice(to)}`;
}

function parse(marked: string): { text: string; anchor: number; head: number } {
  const cursor = marked.indexOf('|');
  if (cursor >= 0) return { text: marked.replace('|', ''), anchor: cursor, head: cursor };
  const from = marked.indexOf('[');
  const to = marked.indexOf(']') - 1;
  return { text: marked.replace('[', '').replace(']', ''), anchor: from, head: to };
}

function source(text: string) {
  return { length: text.length, slice: (from: number, to: number) => text.slice(from, to) };
}

const toggle = (format: InlineFormat) => (marked: string) =>
  run(marked, (text, anchor, head) => toggleFormat(source(text), { anchor, head }, format));
const link = (marked: string) =>
  run(marked, (text, anchor, head) => insertLink(source(text), { anchor, head }));

describe('toggleFormat', () => {
  const bold = toggle('bold');
  const italic = toggle('italic');
  const code = toggle('code');

  it('wraps a selection and keeps it selected, then unwraps it again', () => {
    expect(bold('make [this] bold')).toBe('make **[this]** bold');
    expect(bold('make **[this]** bold')).toBe('make [this] bold');
    expect(italic('an [aside]')).toBe('an *[aside]*');
    expect(italic('an *[aside]*')).toBe('an [aside]');
    expect(italic('an _[aside]_')).toBe('an [aside]');
    expect(code('run [npm test] now')).toBe('run `[npm test]` now');
    expect(code('run `[npm test]` now')).toBe('run [npm test] now');
  });

  it('unwraps a selection that includes its markers', () => {
    expect(bold('[**this**]')).toBe('[this]');
    expect(italic('[*this*]')).toBe('[this]');
    expect(code('[`x`]')).toBe('[x]');
  });

  it('keeps the spaces around a selection outside the markers', () => {
    expect(bold('a[ word ]b')).toBe('a **[word]** b');
  });

  it('formats the word around a cursor and keeps the cursor in place', () => {
    expect(bold('one wo|rd two')).toBe('one **wo|rd** two');
    expect(bold('one **wo|rd** two')).toBe('one wo|rd two');
    expect(italic('naïve ca|fé')).toBe('naïve *ca|fé*');
  });

  it('gives a cursor outside a word an empty pair to type into, and takes an empty pair away', () => {
    expect(bold('word |')).toBe('word **|**');
    expect(bold('word|')).toBe('word**|**');
    expect(bold('word **|**')).toBe('word |');
    expect(code('|')).toBe('`|`');
  });

  it('tells bold and italic stars apart', () => {
    expect(italic('**[x]**')).toBe('***[x]***');
    expect(bold('*[x]*')).toBe('***[x]***');
    expect(bold('***[x]***')).toBe('*[x]*');
    expect(italic('***[x]***')).toBe('**[x]**');
    expect(italic('*[x]*')).toBe('[x]');
  });

  it('fences code that holds backticks with more of them', () => {
    expect(code('[a`b]')).toBe('``[a`b]``');
  });

  it('keeps a backwards selection backwards', () => {
    const { changes, selection } = toggleFormat(source('ab cd'), { anchor: 5, head: 3 }, 'bold');
    expect(changes).toHaveLength(2);
    expect(selection).toEqual({ anchor: 7, head: 5 });
  });
});

describe('insertLink', () => {
  it('makes the selection the link text and puts the cursor where the address goes', () => {
    expect(link('see [the docs] here')).toBe('see [the docs](|) here');
  });

  it('makes a selected address the target and puts the cursor in the text', () => {
    expect(link('[https://example.com/a?b=c]')).toBe('[|](https://example.com/a?b=c)');
    expect(link('[www.example.com]')).toBe('[|](www.example.com)');
  });

  it('links the word around a cursor, or inserts an empty link', () => {
    expect(link('a wo|rd')).toBe('a [word](|)');
    expect(link('a |')).toBe('a [|]()');
  });
});
