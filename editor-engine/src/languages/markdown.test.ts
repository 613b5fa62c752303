// Tests of the Markdown plugin: heading outlines and their spans and limits, and tokens with fenced code.
import { describe, expect, it } from 'vitest';
import { flattenOutline, languageFor, type OutlineItem, type Token } from './index.js';

const markdown = languageFor('markdown')!;

/** Each outline entry as `label (kind level)`, indented by nesting. */
function shape(items: OutlineItem[], indent = ''): string[] {
  return items.flatMap((item) => [
    `${indent}${item.label} (${item.kind} ${item.level})`,
    ...shape(item.children, `${indent}  `),
  ]);
}

function tokenAt(text: string, tokens: Token[], needle: string, offset = 0): string | undefined {
  const at = text.indexOf(needle) + offset;
  return tokens.find((token) => token.from <= at && at < token.to)?.type;
}

const notes = `# Project *Symphony*

Intro paragraph.

## Goals ##

### Speed

Fast.

### Safety
Setext subsection
-----------------

# Appendix

> ## Quoted heading

- list
  ### Heading in a list

\`\`\`md
# not a heading, inside a fence
\`\`\`

#### Deep [link](http://example.com) and \`code\`
`;

describe('markdown outline', () => {
  it('nests ATX and setext headings by level, with marks and link targets left out of labels', () => {
    expect(shape(markdown.outline(notes))).toEqual([
      'Project Symphony (heading 1)',
      '  Goals (heading 2)',
      '    Speed (heading 3)',
      '    Safety (heading 3)',
      '  Setext subsection (heading 2)',
      'Appendix (heading 1)',
      '  Quoted heading (heading 2)',
      '    Heading in a list (heading 3)',
      '      Deep link and code (heading 4)',
    ]);
  });

  it('spans each heading to the next heading of the same or a higher level', () => {
    const [project, appendix] = markdown.outline(notes);
    expect(project!.from).toBe(0);
    expect(project!.to).toBe(notes.indexOf('# Appendix'));
    const goals = project!.children[0]!;
    expect(goals.from).toBe(notes.indexOf('## Goals'));
    expect(goals.to).toBe(notes.indexOf('Setext subsection'));
    expect(appendix!.to).toBe(notes.length);
  });

  it('flattens to the wire shape with nesting depth, not heading level', () => {
    const flat = flattenOutline(markdown.outline('# A\n### C\n## B\n'));
    expect(flat.map(({ name, depth }) => `${name}@${depth}`)).toEqual(['A@0', 'C@1', 'B@1']);
  });

  it('has no entries for text without headings, empty text or a lone #', () => {
    expect(markdown.outline('')).toEqual([]);
    expect(markdown.outline('just a paragraph\n\n- and a list')).toEqual([]);
    expect(markdown.outline('#')).toEqual([
      { label: '', kind: 'heading', level: 1, from: 0, to: 1, children: [] },
    ]);
  });

  it('caps the number of headings and says so', () => {
    const many = Array.from({ length: 300 }, (_, i) => `## H${i}\n`).join('');
    const result = markdown.outlineWithStatus(many, { maxItems: 100 });
    expect(result.truncated).toBe(true);
    expect(result.items).toHaveLength(100);
    expect(markdown.outlineWithStatus(many).truncated).toBe(false);
  });
});

describe('markdown tokens', () => {
  const text = `# Title

Some *emphasis*, **strong**, ~~gone~~, \`inline\` and a [link](https://example.com).

> quoted

\`\`\`ts
const answer: number = 42; // the answer
\`\`\`
`;
  const tokens = markdown.tokens(text);

  it('colours headings, emphasis, links, inline code and quotes', () => {
    expect(tokenAt(text, tokens, '# Title')).toBe('meta');
    expect(tokenAt(text, tokens, 'Title')).toBe('heading');
    expect(tokenAt(text, tokens, 'emphasis')).toBe('emphasis');
    expect(tokenAt(text, tokens, 'strong')).toBe('strong');
    expect(tokenAt(text, tokens, 'gone')).toBe('strikethrough');
    expect(tokenAt(text, tokens, 'inline')).toBe('code');
    expect(tokenAt(text, tokens, 'link]')).toBe('link');
    expect(tokenAt(text, tokens, 'https://')).toBe('url');
    expect(tokenAt(text, tokens, 'quoted')).toBe('quote');
  });

  it('marks code fences and highlights fenced TypeScript with its own grammar', () => {
    expect(tokenAt(text, tokens, '```ts')).toBe('meta');
    expect(tokenAt(text, tokens, 'ts\nconst', 0)).toBe('labelName');
    expect(tokenAt(text, tokens, 'const answer')).toBe('keyword');
    expect(tokenAt(text, tokens, 'number =')).toBe('typeName');
    expect(tokenAt(text, tokens, '42')).toBe('number');
    expect(tokenAt(text, tokens, '// the answer')).toBe('comment');
  });

  it('keeps an unclosed fence, an unclosed link and stray marks from breaking the rest', () => {
    const broken = '# Ok\n\n[unclosed link(\n**half bold\n\n```js\nlet x = {\n';
    const result = markdown.tokens(broken);
    expect(tokenAt(broken, result, 'Ok')).toBe('heading');
    expect(tokenAt(broken, result, 'let')).toBe('keyword');
    expect(markdown.tokens('')).toEqual([]);
  });
});
