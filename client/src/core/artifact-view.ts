// How the artifact inspector shows an artifact, as data: which view its preview gets, Markdown as
// HTML that is safe to put in the page, JSON pretty-printed, a unified diff of two texts, and the
// lineage graph as ELK's input and as boxes and arrows to draw.
import type { ArtifactDetailResponse, ArtifactLineageResponse } from '@symphony/schemas';
import { diffLines } from 'diff';
import type { DOMPurify, Config as PurifyConfig } from 'dompurify';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { Marked, type Tokens } from 'marked';

// --- the content view -----------------------------------------------------------------------------

/** The languages the inspector highlights (CodeMirror's language packages it loads). */
export const CodeLanguage = {
  json: 'json',
  javascript: 'javascript',
  typescript: 'typescript',
  python: 'python',
  markdown: 'markdown',
} as const;
export type CodeLanguage = (typeof CodeLanguage)[keyof typeof CodeLanguage];

/** How the inspector shows an artifact's preview. */
export type ContentView =
  /** Rendered (sanitized) HTML, with the source a click away. */
  | { readonly kind: 'markdown'; readonly text: string }
  /** A read-only code viewer with folding; `language` null: plain lines, no highlighting. */
  | { readonly kind: 'code'; readonly text: string; readonly language: CodeLanguage | null }
  /** Preformatted text. */
  | { readonly kind: 'text'; readonly text: string }
  /** No text: size and a download. */
  | { readonly kind: 'binary' };

/** The names a `code` preview's language goes by, to the highlighter that reads it. */
const LANGUAGE_ALIASES: Readonly<Record<string, CodeLanguage>> = {
  json: 'json',
  javascript: 'javascript',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  typescript: 'typescript',
  ts: 'typescript',
  tsx: 'typescript',
  python: 'python',
  py: 'python',
  markdown: 'markdown',
  md: 'markdown',
};

/** The highlighter for a `code` preview's `language` (`typescript`, `py`, …), or null when none fits. */
export function codeLanguage(language: string | undefined): CodeLanguage | null {
  if (language === undefined) return null;
  return LANGUAGE_ALIASES[language.trim().toLowerCase()] ?? null;
}

/**
 * The view for an artifact's preview: JSON pretty-printed in the code viewer (so it folds), code
 * highlighted in its language, Markdown rendered, other text preformatted, and binary (or a preview
 * without text) as binary.
 */
export function contentView(preview: ArtifactDetailResponse['preview']): ContentView {
  const text = preview.text;
  if (preview.kind === 'binary' || text === undefined) return { kind: 'binary' };
  switch (preview.kind) {
    case 'json':
      return { kind: 'code', text: prettyJson(text), language: 'json' };
    case 'code':
      return { kind: 'code', text, language: codeLanguage(preview.language) };
    case 'markdown':
      return { kind: 'markdown', text };
    case 'text':
      return { kind: 'text', text };
  }
}

/** `text` as JSON indented by 2 spaces, or `text` unchanged when it does not parse (a truncated preview). */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

// --- Markdown -------------------------------------------------------------------------------------

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `text` with the five characters HTML gives meaning to written as entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** The schemes a link in an artifact may have: the web and mail, nothing that runs or embeds. */
const LINK_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

/**
 * `href` when it is an absolute `http:`, `https:` or `mailto:` URL, else null. Relative links and
 * `#` anchors are refused too: in the app they would navigate the app itself (its routes are hashes).
 */
export function safeLinkUrl(href: string): string | null {
  // Browsers drop ASCII whitespace and control characters inside a scheme ("java\tscript:").
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
  const cleaned = href.replace(/[\u0000-\u0020\u007f]/g, '');
  try {
    const url = new URL(cleaned);
    return LINK_SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Marked set up for untrusted Markdown: raw HTML is shown as text, links open outside the app only
 * for the schemes of {@link safeLinkUrl}, images are never loaded (a link to them instead, so an
 * artifact cannot make the page fetch anything), and task boxes are drawn as text, not inputs.
 */
const untrustedMarked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html({ text, block }: Tokens.HTML | Tokens.Tag): string {
      return block ? `<p class="raw-html">${escapeHtml(text.trimEnd())}</p>\n` : escapeHtml(text);
    },
    link({ href, title, tokens }: Tokens.Link): string {
      const inner = this.parser.parseInline(tokens);
      const url = safeLinkUrl(href);
      if (url === null) return `<span class="link-removed" title="link not followed">${inner}</span>`;
      const titleAttr = title ? ` title="${escapeHtml(title)}"` : '';
      return `<a href="${escapeHtml(url)}"${titleAttr} target="_blank" rel="noopener noreferrer nofollow">${inner}</a>`;
    },
    checkbox({ checked }: Tokens.Checkbox): string {
      return `<span class="task">${checked ? '☑' : '☐'}</span> `;
    },
    image({ href, text }: Tokens.Image): string {
      const label = `image: ${text === '' ? 'untitled' : text}`;
      const url = safeLinkUrl(href);
      if (url === null) return `<span class="image-placeholder">[${escapeHtml(label)}]</span>`;
      return `<a class="image-placeholder" href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer nofollow">[${escapeHtml(label)}]</a>`;
    },
  },
});

/**
 * What DOMPurify keeps of rendered Markdown: the tags Markdown makes and the attributes they need,
 * links only to {@link LINK_SCHEMES}; no images, media, frames, forms, inputs, styles or scripts.
 * The second wall after {@link markdownHtml}: what one misses, the other removes.
 */
export const MARKDOWN_PURIFY_CONFIG = {
  ALLOWED_TAGS: [
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
  ],
  ALLOWED_ATTR: ['align', 'class', 'href', 'rel', 'start', 'target', 'title'],
  // DOMPurify checks the value of every attribute that is not plain text (`class` and `title` are)
  // against this, whitespace removed, not only URLs: so besides the web and mail schemes it names
  // the few values the other attributes take (a link's target and rel, a cell's align, a list's start).
  ALLOWED_URI_REGEXP:
    /^(?:(?:https?|mailto):|_blank$|noopener\s*noreferrer\s*nofollow$|(?:left|center|right)$|\d+$)/i,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
} satisfies PurifyConfig;

/** Untrusted Markdown as HTML with raw HTML escaped, links filtered and images not loaded. */
export function markdownHtml(markdown: string): string {
  return untrustedMarked.parse(markdown, { async: false });
}

/**
 * Untrusted Markdown as HTML that is safe to put in the page: {@link markdownHtml}, then DOMPurify
 * with {@link MARKDOWN_PURIFY_CONFIG}. `purify` is the page's DOMPurify (it needs a DOM).
 */
export function markdownToSafeHtml(markdown: string, purify: Pick<DOMPurify, 'sanitize'>): string {
  return purify.sanitize(markdownHtml(markdown), MARKDOWN_PURIFY_CONFIG);
}

// --- diffs ----------------------------------------------------------------------------------------

/** One line of a unified diff, numbered in the old text, the new one, or both. */
export type DiffLine = {
  readonly kind: 'added' | 'removed' | 'context';
  readonly text: string;
  /** 1-based, in the old text (absent for an added line). */
  readonly oldLine?: number;
  /** 1-based, in the new text (absent for a removed line). */
  readonly newLine?: number;
};

/** Unchanged lines a diff does not show. */
export type DiffSkip = { readonly kind: 'skip'; readonly lines: number };

export type DiffRow = DiffLine | DiffSkip;

/** Two texts compared line by line. */
export interface TextDiff {
  readonly rows: readonly DiffRow[];
  readonly added: number;
  readonly removed: number;
}

/** Unchanged lines a diff shows around each change, as `diff -u` does. */
export const DIFF_CONTEXT_LINES = 3;

/**
 * 2,000 edits: past that two versions are too different for a line diff to help, and computing it
 * would hold the page for a second or more (the cost grows with the edits times the lines).
 */
export const MAX_DIFF_EDITS = 2000;

/** The lines of one diff part (`diffLines` keeps each line's newline), without a trailing `\r`. */
function partLines(value: string): string[] {
  const lines = value.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

/**
 * `before` and `after` as a unified diff: added and removed lines, each change with
 * {@link DIFF_CONTEXT_LINES} unchanged lines around it and longer unchanged stretches as one skip.
 * Null when the texts differ by more than {@link MAX_DIFF_EDITS} edits.
 */
export function textDiff(before: string, after: string, context = DIFF_CONTEXT_LINES): TextDiff | null {
  const parts = diffLines(before, after, { maxEditLength: MAX_DIFF_EDITS });
  if (parts === undefined) return null;
  const all: DiffLine[] = [];
  let oldLine = 1;
  let newLine = 1;
  let added = 0;
  let removed = 0;
  for (const part of parts) {
    for (const text of partLines(part.value)) {
      if (part.added) {
        all.push({ kind: 'added', text, newLine: newLine++ });
        added++;
      } else if (part.removed) {
        all.push({ kind: 'removed', text, oldLine: oldLine++ });
        removed++;
      } else {
        all.push({ kind: 'context', text, oldLine: oldLine++, newLine: newLine++ });
      }
    }
  }
  return { rows: withSkips(all, context), added, removed };
}

/** `lines` with every unchanged line farther than `context` from a change folded into a skip. */
function withSkips(lines: readonly DiffLine[], context: number): DiffRow[] {
  const near = new Array<boolean>(lines.length).fill(false);
  lines.forEach((line, i) => {
    if (line.kind === 'context') return;
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) near[j] = true;
  });
  const rows: DiffRow[] = [];
  let skipped = 0;
  lines.forEach((line, i) => {
    if (near[i]) {
      if (skipped > 0) rows.push({ kind: 'skip', lines: skipped });
      skipped = 0;
      rows.push(line);
    } else skipped++;
  });
  if (skipped > 0) rows.push({ kind: 'skip', lines: skipped });
  return rows;
}

// --- downloads ----------------------------------------------------------------------------------

/** File extensions of the media types runs commonly make; anything else downloads as `.bin`. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  'text/plain': 'txt',
  'text/markdown': 'md',
  'application/json': 'json',
  'text/html': 'html',
  'text/csv': 'csv',
  'text/javascript': 'js',
  'application/javascript': 'js',
  'text/x-typescript': 'ts',
  'application/typescript': 'ts',
  'text/x-python': 'py',
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
};

/**
 * The file name an artifact downloads as: the last part of its newest name (`reports/summary.md` →
 * `summary.md`, with the extension of its media type added when it has none), else its short hash
 * with that extension.
 */
export function downloadName(detail: Pick<ArtifactDetailResponse, 'info' | 'names'>): string {
  const type = detail.info.mediaType.split(';')[0]?.trim().toLowerCase() ?? '';
  const extension = EXTENSIONS[type] ?? (type.startsWith('text/') ? 'txt' : 'bin');
  const newest = [...detail.names].sort((a, b) => b.created - a.created)[0];
  const base = newest?.name.split('/').at(-1) ?? '';
  if (base === '') return `artifact-${shortHash(detail.info.hash)}.${extension}`;
  return /\.[A-Za-z0-9]{1,8}$/.test(base) ? base : `${base}.${extension}`;
}

// --- lineage --------------------------------------------------------------------------------------

/** An artifact's box in the lineage graph. */
export interface LineageBox {
  readonly hash: string;
  readonly role: 'self' | 'input' | 'output';
  /** The box's two lines: the media type, and the size with the short hash. */
  readonly title: string;
  readonly subtitle: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** An arrow from an input to what was made from it, as an SVG path. */
export interface LineageArrow {
  readonly from: string;
  readonly to: string;
  readonly path: string;
}

/** The lineage graph laid out: boxes and arrows in a `width` × `height` drawing. */
export interface LineageDrawing {
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly LineageBox[];
  readonly arrows: readonly LineageArrow[];
}

/** Size of an artifact's box in the lineage graph: three lines of small text; three layers fit a 30rem pane. */
export const LINEAGE_BOX = { width: 136, height: 46 } as const;

/** The first 8 hex digits of an artifact hash, for people. */
export function shortHash(hash: string): string {
  return hash.slice(0, 8);
}

/** A byte count for people: `512 B`, `2.1 KiB`, `1.4 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * The lineage as ELK's input: one box per artifact (the first entry of a hash wins, `self` over
 * all), one edge per `from → to` pair between two of them, left to right.
 */
export function lineageGraph(lineage: ArtifactLineageResponse): ElkNode {
  const boxes = lineageArtifacts(lineage);
  const seen = new Set<string>();
  const edges = lineage.edges.filter((e) => {
    const key = `${e.from}>${e.to}`;
    if (e.from === e.to || !boxes.has(e.from) || !boxes.has(e.to) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    id: 'lineage',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '16',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.padding': '[top=8,left=8,bottom=8,right=8]',
    },
    children: [...boxes.keys()].map((hash) => ({ id: hash, ...LINEAGE_BOX })),
    edges: edges.map((e) => ({ id: `${e.from}>${e.to}`, sources: [e.from], targets: [e.to] })),
  };
}

type LineageArtifact = ArtifactLineageResponse['artifacts'][number];

/** The lineage's artifacts by hash, each once, `self` winning over any other role it is listed in. */
function lineageArtifacts(lineage: ArtifactLineageResponse): Map<string, LineageArtifact> {
  const byHash = new Map<string, LineageArtifact>();
  for (const artifact of lineage.artifacts) {
    const known = byHash.get(artifact.hash);
    if (known === undefined || artifact.role === 'self') byHash.set(artifact.hash, artifact);
  }
  return byHash;
}

/** ELK's answer for {@link lineageGraph} as boxes and arrows to draw. */
export function lineageDrawing(lineage: ArtifactLineageResponse, laidOut: ElkNode): LineageDrawing {
  const artifacts = lineageArtifacts(lineage);
  const boxes: LineageBox[] = [];
  for (const child of laidOut.children ?? []) {
    const artifact = artifacts.get(child.id);
    if (artifact === undefined) continue;
    boxes.push({
      hash: artifact.hash,
      role: artifact.role,
      title: artifact.mediaType,
      subtitle: `${formatBytes(artifact.size)} · ${shortHash(artifact.hash)}`,
      x: child.x ?? 0,
      y: child.y ?? 0,
      width: child.width ?? LINEAGE_BOX.width,
      height: child.height ?? LINEAGE_BOX.height,
    });
  }
  const arrows: LineageArrow[] = [];
  for (const edge of laidOut.edges ?? []) {
    const [from, to] = [edge.sources[0], edge.targets[0]];
    if (from === undefined || to === undefined) continue;
    const points = (edge.sections ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]);
    if (points.length < 2) continue;
    const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(p.x)} ${round(p.y)}`).join(' ');
    arrows.push({ from, to, path });
  }
  return { width: laidOut.width ?? 0, height: laidOut.height ?? 0, boxes, arrows };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
