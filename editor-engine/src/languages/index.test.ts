// Tests of the language plugins: lookup by id and extension, tokens and outlines on any text, the guard,
// and a 10 MB Markdown Document.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guardLanguage } from './guard.js';
import { clampRange, highlightTokens } from './highlight.js';
import {
  createLanguages,
  type LanguagePlugin,
  languageFor,
  languages,
  type OutlineItem,
  TokenType,
} from './index.js';
import { javascriptParsers } from './javascript.js';
import { jsonParser } from './json.js';
import { markdownParser, markdown as markdownPlugin } from './markdown.js';

describe('languageFor', () => {
  it('finds a language by id, case-insensitively', () => {
    for (const id of ['markdown', 'javascript', 'typescript', 'json', 'jsx', 'tsx']) {
      expect(languageFor(id)?.id).toBe(id);
    }
    expect(languageFor('TypeScript')?.id).toBe('typescript');
  });

  it('finds a language by the extension of a file name or title', () => {
    expect(languageFor('notes.md')?.id).toBe('markdown');
    expect(languageFor('README.markdown')?.id).toBe('markdown');
    expect(languageFor('src/App.tsx')?.id).toBe('tsx');
    expect(languageFor('a.jsx')?.id).toBe('jsx');
    expect(languageFor('types.d.ts')?.id).toBe('typescript');
    expect(languageFor('C:\\work\\server.MJS')?.id).toBe('javascript');
    expect(languageFor('package.json')?.id).toBe('json');
    expect(languageFor('md')?.id).toBe('markdown');
    expect(languageFor('.ts')?.id).toBe('typescript');
  });

  it('answers undefined for anything it does not know', () => {
    for (const name of ['', '  ', 'Makefile', 'notes.txt', 'md.', 'archive.tar.gz', 'json.backup']) {
      expect(languageFor(name)).toBeUndefined();
    }
  });

  it('lists every language once, each with extensions', () => {
    expect(new Set(languages.map((l) => l.id)).size).toBe(languages.length);
    for (const language of languages) expect(language.extensions.length).toBeGreaterThan(0);
  });
});

describe('every language, on any text', () => {
  const strict = createLanguages({
    onError: (error) => {
      throw error;
    },
  });
  /** Characters and words that matter to some grammar, so random text hits real syntax often. */
  const pieces = [
    '#',
    '##',
    '*',
    '_',
    '`',
    '```',
    '~~',
    '[',
    ']',
    '(',
    ')',
    '{',
    '}',
    '<',
    '>',
    '/',
    '"',
    "'",
    '\\',
    ':',
    ',',
    ';',
    '=',
    '=>',
    '-',
    '+',
    '|',
    '!',
    '?',
    '.',
    ' ',
    '  ',
    '\n',
    '\n\n',
    '\t',
    'function',
    'class',
    'const',
    'interface',
    'enum',
    'export',
    'default',
    'true',
    'null',
    '0',
    '1e3',
    'x',
    'name',
    'é',
    '😀',
    '\u2028',
  ];
  const text = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.array(fc.constantFrom(...pieces), { maxLength: 120 }).map((parts) => parts.join('')),
  );
  const bound = fc.oneof(
    fc.integer({ min: -50, max: 400 }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 0.5),
  );

  it('gives sorted, non-overlapping tokens inside the range and outlines inside the text', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...strict),
        text,
        fc.option(fc.record({ from: bound, to: bound })),
        (language, source, range) => {
          const tokens = language.tokens(source, range ?? undefined);
          const { from, to } = clampRange(range ?? undefined, source.length);
          let end = from;
          for (const token of tokens) {
            expect(token.from).toBeGreaterThanOrEqual(end);
            expect(token.to).toBeGreaterThan(token.from);
            expect(token.to).toBeLessThanOrEqual(to);
            expect(Object.values(TokenType)).toContain(token.type);
            end = token.to;
          }
          const check = (items: OutlineItem[], lo: number, hi: number) => {
            let previous = lo;
            for (const item of items) {
              expect(item.from).toBeGreaterThanOrEqual(previous);
              expect(item.to).toBeGreaterThanOrEqual(item.from);
              expect(item.to).toBeLessThanOrEqual(hi);
              previous = item.from;
              check(item.children, item.from, item.to);
            }
          };
          check(language.outline(source), 0, source.length);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('colours the same whether top-level nodes are highlighted one by one or the whole tree at once', () => {
    const parsers = [markdownParser, jsonParser, ...Object.values(javascriptParsers)];
    fc.assert(
      fc.property(
        fc.constantFrom(...parsers),
        fc.array(text, { maxLength: 20 }).map((parts) => parts.join('\n\n')),
        fc.record({ from: bound, to: bound }),
        (parser, source, range) => {
          const tree = parser.parse(source);
          expect(highlightTokens(tree, source.length, range)).toEqual(
            highlightTokens(tree, source.length, range, false),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("colours a range exactly as the whole document's tokens clipped to it", () => {
    const section = (i: number) =>
      `## Part ${i}\n\nText with *stress* and \`code\`.\n\n\`\`\`js\nconst v${i} = [${i}, 'x'];\n\`\`\`\n\n`;
    const doc = Array.from({ length: 1_500 }, (_, i) => section(i)).join('');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: doc.length }),
        fc.integer({ min: 0, max: 20_000 }),
        (from, length) => {
          const marked = `${from}\n${doc}${length}`;
          const to = Math.min(marked.length, from + length);
          const inRange = markdownPlugin.tokens(marked, { from, to });
          const clipped = markdownPlugin
            .tokens(marked)
            .filter((token) => token.to > from && token.from < to)
            .map((token) => ({ ...token, from: Math.max(token.from, from), to: Math.min(token.to, to) }))
            // An empty range (length 0) holds no tokens, not a zero-width piece of the one around it.
            .filter((token) => token.from < token.to);
          expect(inRange).toEqual(clipped);
        },
      ),
      { numRuns: 10 },
    );
  });
});

describe('guardLanguage', () => {
  it('answers empty and tells the sink when a plugin throws', () => {
    const failures: string[] = [];
    const throwing: LanguagePlugin = {
      ...markdownPlugin,
      tokens: () => {
        throw new Error('grammar bug');
      },
      outline: () => {
        throw new Error('grammar bug');
      },
    };
    const guarded = guardLanguage(throwing, (error, plugin, method) => {
      failures.push(`${plugin.id}.${method}: ${(error as Error).message}`);
    });
    expect(guarded.tokens('# x')).toEqual([]);
    expect(guarded.outline('# x')).toEqual([]);
    expect(failures).toEqual(['markdown.tokens: grammar bug', 'markdown.outline: grammar bug']);
  });
});

describe('a 10 MB Markdown document', () => {
  it('tokenizes a 10 KB range without parsing the whole document', () => {
    const section = (i: number) =>
      `## Section ${i}\n\nSome *emphasis* and a [link](https://example.com/${i}).\n\n- item\n\n\`\`\`ts\nconst x${i}: number = ${i};\n\`\`\`\n\n`;
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < 10 * 1024 * 1024; i++) {
      parts.push(section(i));
      size += parts.at(-1)!.length;
    }
    const doc = parts.join('');
    const timed = <T>(run: () => T): [T, number] => {
      const start = performance.now();
      return [run(), performance.now() - start];
    };
    const [first, cold] = timed(() => markdownPlugin.tokens(doc, { from: 0, to: 10_240 }));
    expect(first.length).toBeGreaterThan(100);
    // Only as far as the range (plus lookahead) is parsed; the next screen down reuses that tree and
    // parses the few KB more it needs. A full parse of 10 MB takes seconds (Lezer's Markdown parser
    // runs at ~1–3 MB/s here) and is left out so the test stays quick on a loaded machine.
    const [next, warm] = timed(() => markdownPlugin.tokens(doc, { from: 10_240, to: 20_480 }));
    expect(next.length).toBeGreaterThan(100);
    expect(next[0]!.from).toBeGreaterThanOrEqual(10_240);
    expect(cold).toBeLessThan(2_000);
    expect(warm).toBeLessThan(1_000);
  });
});
