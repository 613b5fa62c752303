import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from '@playwright/test';
import type { ArtifactDetailResponse, ArtifactLineageResponse } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeLanguage,
  contentView,
  downloadName,
  formatBytes,
  LINEAGE_BOX,
  type LineageDrawing,
  lineageDrawing,
  lineageGraph,
  MARKDOWN_PURIFY_CONFIG,
  MAX_DIFF_EDITS,
  markdownHtml,
  prettyJson,
  safeLinkUrl,
  textDiff,
} from './artifact-view.js';

const preview = (p: Partial<ArtifactDetailResponse['preview']>): ArtifactDetailResponse['preview'] => ({
  kind: 'text',
  truncated: false,
  ...p,
});

describe('contentView', () => {
  it('pretty-prints JSON into the code viewer, and leaves a truncated JSON preview as it is', () => {
    expect(contentView(preview({ kind: 'json', text: '{"a":[1,2]}' }))).toEqual({
      kind: 'code',
      language: 'json',
      text: '{\n  "a": [\n    1,\n    2\n  ]\n}',
    });
    expect(prettyJson('{"a": [1, 2')).toBe('{"a": [1, 2');
  });

  it('highlights code in its language, and plain when the language is unknown', () => {
    expect(contentView(preview({ kind: 'code', language: 'TypeScript', text: 'let a' }))).toEqual({
      kind: 'code',
      language: 'typescript',
      text: 'let a',
    });
    expect(codeLanguage('py')).toBe('python');
    expect(codeLanguage('mjs')).toBe('javascript');
    expect(codeLanguage('cobol')).toBeNull();
    expect(codeLanguage(undefined)).toBeNull();
  });

  it('renders Markdown, preformats text, and treats binary (or a preview with no text) as binary', () => {
    expect(contentView(preview({ kind: 'markdown', text: '# Hi' }))).toEqual({
      kind: 'markdown',
      text: '# Hi',
    });
    expect(contentView(preview({ kind: 'text', text: 'plain' }))).toEqual({ kind: 'text', text: 'plain' });
    expect(contentView(preview({ kind: 'binary' }))).toEqual({ kind: 'binary' });
    expect(contentView(preview({ kind: 'markdown' }))).toEqual({ kind: 'binary' });
  });
});

/** Every tag in `html` with its attribute names (text is escaped, so every `<` starts a tag). */
function tagsOf(html: string): { tag: string; attrs: string[] }[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>/g)].map((m) => ({
    tag: (m[1] ?? '').toLowerCase(),
    attrs: [...(m[2] ?? '').matchAll(/([^\s"'=<>/]+)\s*(?:=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?/g)].map((a) =>
      (a[1] ?? '').toLowerCase(),
    ),
  }));
}

/** Every `href` in `html`, entities decoded as a browser would. */
function hrefsOf(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((m) =>
    (m[1] ?? '')
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'"),
  );
}

/** Hostile Markdown an artifact may carry: each tries to run script, embed, restyle or fetch. */
const HOSTILE_MARKDOWN: readonly string[] = [
  '<script>window.pwned = true</script>',
  'Hello <script src="https://evil.example/x.js"></script> world',
  '<img src="x" onerror="window.pwned = true">',
  'inline <img src=x onerror=alert(1)> image',
  '<a href="javascript:alert(1)">raw link</a>',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click](java\tscript:alert(1))',
  '[click]( javascript:alert(1) )',
  '[click](&#106;avascript:alert(1))',
  '<javascript:alert(1)>',
  '[ref][1]\n\n[1]: javascript:alert(1)',
  '[click](vbscript:msgbox(1))',
  '<iframe src="https://evil.example"></iframe>',
  '<style>body { display: none }</style>',
  '<div style="background:url(https://evil.example/t.png)">styled</div>',
  '![tracker](https://evil.example/pixel.png)',
  '![inline](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  '[data](data:text/html,<script>alert(1)</script>)',
  '<svg onload="alert(1)"><circle r="4"/></svg>',
  '<form action="https://evil.example"><input name="p"></form>',
  '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x">',
  '<details open ontoggle="alert(1)"><summary>x</summary></details>',
  '[a](https://ok.example "title\\" onmouseover=\\"alert(1)")',
  '```html\n<script>alert(1)</script>\n```',
  '`<img src=x onerror=alert(1)>`',
];

const ALLOWED_TAGS = new Set([
  'a',
  'blockquote',
  'br',
  'code',
  'del',
  'em',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'li',
  'ol',
  'p',
  'pre',
  'span',
  'strong',
  'table',
  'tbody',
  'td',
  'th',
  'thead',
  'tr',
  'ul',
]);

describe('markdownHtml on hostile Markdown', () => {
  for (const hostile of HOSTILE_MARKDOWN) {
    it(`makes nothing that runs, embeds or fetches of ${JSON.stringify(hostile)}`, () => {
      const html = markdownHtml(hostile);
      for (const { tag, attrs } of tagsOf(html)) {
        expect(ALLOWED_TAGS, `<${tag}> in ${html}`).toContain(tag);
        expect(
          attrs.filter((a) => a.startsWith('on') || a === 'style' || a === 'src'),
          html,
        ).toEqual([]);
      }
      for (const href of hrefsOf(html)) expect(href, html).toMatch(/^(https?|mailto):/);
    });
  }

  it('shows raw HTML as text rather than dropping it', () => {
    expect(markdownHtml('<script>x()</script>')).toContain('&lt;script&gt;x()&lt;/script&gt;');
    expect(markdownHtml('a <b>bold</b> word')).toContain('a &lt;b&gt;bold&lt;/b&gt; word');
  });

  it('links an image instead of loading it, and keeps the text of a refused link', () => {
    expect(markdownHtml('![chart](https://example.com/c.png)')).toBe(
      '<p><a class="image-placeholder" href="https://example.com/c.png" target="_blank" rel="noopener noreferrer nofollow">[image: chart]</a></p>\n',
    );
    expect(markdownHtml('[do it](javascript:alert(1))')).toBe(
      '<p><span class="link-removed" title="link not followed">do it</span></p>\n',
    );
  });

  it('renders ordinary Markdown: headings, emphasis, lists, tables, code, web links in a new tab', () => {
    const html = markdownHtml(
      '# Plan\n\nSome **bold** and _em_ and ~~gone~~.\n\n- one\n- [x] done\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n```ts\nlet a = 1 < 2;\n```\n\n[site](https://example.com/a?b=1&c=2) <https://example.org>',
    );
    expect(html).toContain('<h1>Plan</h1>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>em</em>');
    expect(html).toContain('<del>gone</del>');
    expect(html).toContain('<li><span class="task">☑</span> done</li>');
    expect(html).toContain('<th align="center">b</th>');
    expect(html).toContain('<code class="language-ts">let a = 1 &lt; 2;\n</code>');
    expect(html).toContain(
      '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">site</a>',
    );
    expect(hrefsOf(html)).toEqual(['https://example.com/a?b=1&c=2', 'https://example.org/']);
  });
});

describe('safeLinkUrl', () => {
  it('keeps absolute web and mail links and refuses every other scheme, relative links and anchors', () => {
    expect(safeLinkUrl('https://example.com/x')).toBe('https://example.com/x');
    expect(safeLinkUrl('mailto:a@example.com')).toBe('mailto:a@example.com');
    for (const refused of [
      'javascript:alert(1)',
      ' JAVASCRIPT:alert(1)',
      'java\nscript:alert(1)',
      'data:text/html,x',
      'file:///etc/passwd',
      'blob:https://example.com/1',
      '#/workflow/x',
      '/v1/runs',
      '../up',
      '',
    ]) {
      expect(safeLinkUrl(refused), refused).toBeNull();
    }
  });
});

describe('textDiff', () => {
  it('numbers added, removed and unchanged lines in the old and new text', () => {
    expect(textDiff('a\nb\nc\n', 'a\nB\nc\nd\n')).toEqual({
      added: 2,
      removed: 1,
      rows: [
        { kind: 'context', text: 'a', oldLine: 1, newLine: 1 },
        { kind: 'removed', text: 'b', oldLine: 2 },
        { kind: 'added', text: 'B', newLine: 2 },
        { kind: 'context', text: 'c', oldLine: 3, newLine: 3 },
        { kind: 'added', text: 'd', newLine: 4 },
      ],
    });
  });

  it('folds unchanged stretches farther than the context from a change into one skip', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
    const after = before.replace('line 10', 'line ten');
    const diff = textDiff(before, after, 2)!;
    expect(diff.rows.map((r) => (r.kind === 'skip' ? `… ${r.lines}` : `${r.kind} ${r.text}`))).toEqual([
      '… 7',
      'context line 8',
      'context line 9',
      'removed line 10',
      'added line ten',
      'context line 11',
      'context line 12',
      '… 8',
    ]);
  });

  it('says nothing changed for equal texts, and ignores CRLF line ends in what it shows', () => {
    expect(textDiff('same\n', 'same\n', 0)).toEqual({
      added: 0,
      removed: 0,
      rows: [{ kind: 'skip', lines: 1 }],
    });
    expect(textDiff('a\r\nb\r\n', 'a\r\nc\r\n').rows).toContainEqual({
      kind: 'added',
      text: 'c',
      newLine: 2,
    });
    expect(textDiff('', 'new\n')).toEqual({
      added: 1,
      removed: 0,
      rows: [{ kind: 'added', text: 'new', newLine: 1 }],
    });
  });

  it('gives up on texts that differ by more edits than it computes', () => {
    const lines = (prefix: string) =>
      Array.from({ length: MAX_DIFF_EDITS + 10 }, (_, i) => `${prefix}${i}`).join('\n');
    expect(textDiff(lines('a'), lines('b'))).toBeNull();
  });
});

const hash = (c: string) => c.repeat(64) as ArtifactLineageResponse['artifacts'][number]['hash'];

describe('lineage graph', () => {
  const lineage: ArtifactLineageResponse = {
    artifacts: [
      { hash: hash('a'), mediaType: 'text/markdown', size: 2048, role: 'self' },
      { hash: hash('b'), mediaType: 'text/plain', size: 10, role: 'input' },
      { hash: hash('c'), mediaType: 'application/json', size: 3 * 1024 * 1024, role: 'output' },
      // The same bytes listed again as an input: one box, and self wins.
      { hash: hash('a'), mediaType: 'text/markdown', size: 2048, role: 'input' },
    ],
    edges: [
      { from: hash('b'), to: hash('a') },
      { from: hash('a'), to: hash('c') },
      { from: hash('b'), to: hash('a') },
      { from: hash('a'), to: hash('a') },
      { from: hash('d'), to: hash('a') },
    ],
    runs: [],
  };

  it('gives ELK one box per artifact and one edge per pair between known boxes, left to right', () => {
    const graph = lineageGraph(lineage);
    expect(graph.layoutOptions?.['elk.direction']).toBe('RIGHT');
    expect(graph.children?.map((c) => c.id)).toEqual([hash('a'), hash('b'), hash('c')]);
    expect(graph.edges?.map((e) => [e.sources, e.targets])).toEqual([
      [[hash('b')], [hash('a')]],
      [[hash('a')], [hash('c')]],
    ]);
  });

  it('draws ELK’s layout as boxes with the media type, size and short hash, and arrows as paths', async () => {
    const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
    const drawing: LineageDrawing = lineageDrawing(lineage, await new ELK().layout(lineageGraph(lineage)));
    expect(drawing.boxes.map((b) => [b.role, b.title, b.subtitle])).toEqual([
      ['self', 'text/markdown', '2.0 KiB · aaaaaaaa'],
      ['input', 'text/plain', '10 B · bbbbbbbb'],
      ['output', 'application/json', '3.0 MiB · cccccccc'],
    ]);
    const x = (h: string) => drawing.boxes.find((b) => b.hash === h)!.x;
    expect(x(hash('b'))).toBeLessThan(x(hash('a')));
    expect(x(hash('a'))).toBeLessThan(x(hash('c')));
    expect(drawing.arrows.map((a) => [a.from, a.to])).toEqual([
      [hash('b'), hash('a')],
      [hash('a'), hash('c')],
    ]);
    for (const arrow of drawing.arrows) expect(arrow.path).toMatch(/^M[\d.]+ [\d.]+( L[\d.]+ [\d.]+)+$/);
    expect(drawing.width).toBeGreaterThan(3 * LINEAGE_BOX.width);
  });
});

describe('formatBytes', () => {
  it('counts bytes, then binary kilo- and megabytes', () => {
    expect([0, 1023, 1024, 1536, 10 * 1024, 1024 * 1024 * 1.5].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.0 KiB',
      '1.5 KiB',
      '10 KiB',
      '1.5 MiB',
    ]);
  });
});

/** Hostile HTML as if it had got past {@link markdownHtml}: DOMPurify's policy must remove it on its own. */
const HOSTILE_HTML: readonly string[] = [
  '<script>window.pwned = true</script><p>text</p>',
  '<img src="https://evil.example/p.png" onerror="window.pwned = true">',
  '<a href="javascript:window.pwned = true">x</a>',
  '<a href="data:text/html,<script>alert(1)</script>">x</a>',
  '<a href="#/workflow/abc">app route</a>',
  '<iframe src="https://evil.example"></iframe>',
  '<style>:host { display: none }</style><p style="color:red">x</p>',
  '<svg><script>alert(1)</script><image href="https://evil.example/i.png"/></svg>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<form action="https://evil.example"><button formaction="javascript:alert(1)">go</button></form>',
  '<input type="image" src="https://evil.example/i.png">',
  '<video poster="https://evil.example/p.png"><source src="https://evil.example/v.mp4"></video>',
  '<p data-x="1" aria-hidden="true" onclick="alert(1)">attrs</p>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
];

describe('in Chromium, markdownHtml then DOMPurify with MARKDOWN_PURIFY_CONFIG', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox'],
    });
    page = await browser.newPage();
    await page.setContent('<!doctype html><div id="out"></div>');
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve('dompurify/dist/purify.js') });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** What the sanitized HTML becomes in a real DOM: every element, attribute and URL it has. */
  async function sanitizeInPage(html: string) {
    return page.evaluate(
      ({ html, config }) => {
        const purify = (window as unknown as { DOMPurify: { sanitize(h: string, c: unknown): string } })
          .DOMPurify;
        const out = document.getElementById('out')!;
        out.innerHTML = purify.sanitize(html, { ...config, ALLOWED_URI_REGEXP: new RegExp(config.uri, 'i') });
        return [...out.querySelectorAll('*')].map((el) => ({
          tag: el.localName,
          attrs: [...el.attributes].map((a) => [a.name, a.value]),
        }));
      },
      { html, config: { ...MARKDOWN_PURIFY_CONFIG, uri: MARKDOWN_PURIFY_CONFIG.ALLOWED_URI_REGEXP.source } },
    );
  }

  function expectHarmless(elements: { tag: string; attrs: string[][] }[], source: string): void {
    for (const { tag, attrs } of elements) {
      expect(ALLOWED_TAGS, `<${tag}> from ${source}`).toContain(tag);
      for (const [name = '', value = ''] of attrs) {
        expect(
          name.startsWith('on') ||
            ['style', 'src', 'srcset', 'poster', 'action', 'formaction', 'xlink:href'].includes(name),
          `${name} from ${source}`,
        ).toBe(false);
        expect(name.startsWith('data-') || name.startsWith('aria-'), `${name} from ${source}`).toBe(false);
        if (name === 'href') expect(value, source).toMatch(/^(https?|mailto):/i);
      }
    }
  }

  for (const hostile of HOSTILE_MARKDOWN) {
    it(`leaves nothing that runs, embeds or fetches of Markdown ${JSON.stringify(hostile)}`, async () => {
      expectHarmless(await sanitizeInPage(markdownHtml(hostile)), hostile);
    });
  }

  for (const hostile of HOSTILE_HTML) {
    it(`removes on its own what is dangerous in HTML ${JSON.stringify(hostile)}`, async () => {
      expectHarmless(await sanitizeInPage(hostile), hostile);
    });
  }

  it('keeps what Markdown makes: structure, task boxes, safe links opening in a new tab', async () => {
    const elements = await sanitizeInPage(
      markdownHtml(
        '# T\n\n- [x] done\n\n3. three\n4. four\n\n| a |\n|:-:|\n| 1 |\n\n> q\n\n```ts\nx\n```\n\n[w](https://example.com)',
      ),
    );
    expect(elements.map((e) => e.tag)).toEqual(
      expect.arrayContaining(['h1', 'ul', 'li', 'span', 'table', 'th', 'td', 'blockquote', 'a']),
    );
    expect(elements.find((e) => e.tag === 'a')?.attrs).toEqual([
      ['href', 'https://example.com/'],
      ['target', '_blank'],
      ['rel', 'noopener noreferrer nofollow'],
    ]);
    expect(elements.find((e) => e.tag === 'ol')?.attrs).toEqual([['start', '3']]);
    expect(elements.find((e) => e.tag === 'th')?.attrs).toEqual([['align', 'center']]);
    expect(elements.find((e) => e.tag === 'code')?.attrs).toEqual([['class', 'language-ts']]);
    expect(elements.find((e) => e.tag === 'span')?.attrs).toEqual([['class', 'task']]);
  });
});

describe('downloadName', () => {
  const info = (mediaType: string) =>
    ({
      hash: hash('e'),
      size: 1,
      mediaType,
      created: 0,
      tags: [],
      producedBy: [],
    }) as unknown as ArtifactDetailResponse['info'];
  const name = (n: string, created: number) => ({ name: n, version: 1, hash: hash('e'), created });

  it('downloads under the newest name’s last part, with its media type’s extension when it has none', () => {
    expect(
      downloadName({
        info: info('text/markdown; charset=utf-8'),
        names: [name('reports/summary', 1), name('old.md', 0)],
      }),
    ).toBe('summary.md');
    expect(downloadName({ info: info('application/json'), names: [name('data/result.json', 1)] })).toBe(
      'result.json',
    );
  });

  it('downloads an unnamed artifact under its short hash', () => {
    expect(downloadName({ info: info('application/octet-stream'), names: [] })).toBe('artifact-eeeeeeee.bin');
    expect(downloadName({ info: info('text/x-rust'), names: [] })).toBe('artifact-eeeeeeee.txt');
  });
});
