/**
 * The language-plugin port: what the editor engine asks of a language to give a view syntax
 * colours and an outline. Adapters live beside this file (`markdown.ts`, `javascript.ts`, `json.ts`).
 */

/**
 * The stable highlight classes a {@link Token} can carry. A view maps these to colours; they do not
 * change when the underlying grammar or highlighter does.
 */
export const TokenType = {
  keyword: 'keyword',
  string: 'string',
  regexp: 'regexp',
  escape: 'escape',
  number: 'number',
  bool: 'bool',
  null: 'null',
  atom: 'atom',
  comment: 'comment',
  variableName: 'variableName',
  propertyName: 'propertyName',
  typeName: 'typeName',
  className: 'className',
  namespace: 'namespace',
  labelName: 'labelName',
  operator: 'operator',
  punctuation: 'punctuation',
  meta: 'meta',
  invalid: 'invalid',
  heading: 'heading',
  emphasis: 'emphasis',
  strong: 'strong',
  strikethrough: 'strikethrough',
  link: 'link',
  url: 'url',
  code: 'code',
  quote: 'quote',
} as const;
export type TokenType = (typeof TokenType)[keyof typeof TokenType];

/** A highlighted span of text: `[from, to)` in UTF-16 offsets, with one {@link TokenType}. */
export interface Token {
  from: number;
  to: number;
  type: string;
}

/** A `[from, to)` span of a text, in UTF-16 offsets. */
export interface TextRange {
  from: number;
  to: number;
}

/**
 * One entry of a document's outline (a heading, a function, a JSON key…).
 *
 * `from`/`to` cover the whole thing the entry stands for: a heading's section up to the next
 * heading of the same or a higher level, a function's whole declaration, a JSON property with its
 * value. `level` is the heading level for Markdown and the nesting depth (1 = top) elsewhere.
 */
export interface OutlineItem {
  label: string;
  /** 'heading' | 'function' | 'class' | 'method' | 'variable' | 'property' | 'interface' | 'type' | 'enum' | 'object' | 'array' | … */
  kind: string;
  level: number;
  from: number;
  to: number;
  children: OutlineItem[];
  /** Set when this entry's children were cut short by the outline's depth or size limit. */
  truncated?: true;
}

/** An outline with a flag saying whether the limits cut anything out of it. */
export interface OutlineResult {
  items: OutlineItem[];
  /** True when {@link OutlineLimits} left entries out (the outline is still valid, only shorter). */
  truncated: boolean;
}

/** Bounds on the size of an outline, so a huge or deeply nested document cannot exhaust memory. */
export interface OutlineLimits {
  /** Most entries in the whole outline, at every depth together. */
  maxItems: number;
  /** Deepest nesting kept; entries below it are left out and their parent marked `truncated`. */
  maxDepth: number;
}

/**
 * 5,000 entries is more than a person can scan in an outline panel and keeps the reply to a few
 * hundred KB; 32 levels is deeper than anyone nests by hand, while generated JSON can nest far more.
 */
export const defaultOutlineLimits: OutlineLimits = { maxItems: 5_000, maxDepth: 32 };

/**
 * A language the engine can colour and outline. Every method accepts any text, including broken,
 * partial or empty code, and never throws on it.
 */
export interface LanguagePlugin {
  /** Stable id used on the wire: 'markdown', 'javascript', 'typescript', 'json'. */
  id: string;
  /** Human-readable name. */
  name: string;
  /** File-name extensions, with the dot ('.md'), that select this language. */
  extensions: string[];
  /**
   * Highlighted spans of `text`, sorted and non-overlapping; with `range`, only spans inside it
   * (clipped to it), though the whole text is parsed so the colours are those of the whole document.
   */
  tokens(text: string, range?: TextRange): Token[];
  /** The outline of `text`, within {@link defaultOutlineLimits}. */
  outline(text: string): OutlineItem[];
  /** The outline of `text` within `limits`, saying whether anything was cut. */
  outlineWithStatus(text: string, limits?: Partial<OutlineLimits>): OutlineResult;
  /**
   * Optional: does the parsing `tokens(text, range)` (or, without `range`, `outline(text)`) needs in
   * slices, yielding to the event loop between them, so that call then answers at once. The engine
   * calls it first for large texts, so one huge document does not stall every other caller.
   */
  prepare?(text: string, range?: TextRange): Promise<void>;
}
