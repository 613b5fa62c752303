/**
 * Syntax tokens and outlines for the editor engine, one {@link LanguagePlugin} per language, built on
 * Lezer grammars.
 */
import { guardLanguage, type LanguageErrorSink } from './guard.js';
import { javascript, jsx, tsx, typescript } from './javascript.js';
import { json } from './json.js';
import type { LanguagePlugin, OutlineItem } from './LanguagePlugin.js';
import { markdown } from './markdown.js';

export type { LanguageErrorSink } from './guard.js';
export type {
  LanguagePlugin,
  OutlineItem,
  OutlineLimits,
  OutlineResult,
  TextRange,
  Token,
} from './LanguagePlugin.js';
export { defaultOutlineLimits, TokenType } from './LanguagePlugin.js';

const builtIn: readonly LanguagePlugin[] = [markdown, javascript, jsx, typescript, tsx, json];

/** Options for {@link createLanguages}. */
export interface LanguagesOptions {
  /** Told when a plugin throws; the call then answers empty. Defaults to logging on stderr. */
  onError?: LanguageErrorSink;
}

const logError: LanguageErrorSink = (error, plugin, method) => {
  console.error(`editor-engine: language '${plugin.id}' failed in ${method}():`, error);
};

/** The built-in languages, each behind a guard that reports a throw to `onError` and answers empty. */
export function createLanguages(options: LanguagesOptions = {}): LanguagePlugin[] {
  const onError = options.onError ?? logError;
  return builtIn.map((plugin) => guardLanguage(plugin, onError));
}

/**
 * Markdown, JavaScript, JSX, TypeScript, TSX and JSON, guarded (errors logged on stderr). Ids:
 * 'markdown', 'javascript', 'jsx', 'typescript', 'tsx', 'json'.
 */
export const languages: LanguagePlugin[] = createLanguages();

/**
 * The language for an id ('markdown', 'typescript'; case-insensitive), an extension alone ('md',
 * '.tsx') or a file name or title ('notes.md', 'src/App.tsx', 'types.d.ts'): by id first, then by
 * the longest matching extension. Undefined when nothing matches.
 */
export function languageFor(
  idOrFileName: string,
  among: readonly LanguagePlugin[] = languages,
): LanguagePlugin | undefined {
  if (typeof idOrFileName !== 'string') return undefined;
  const key = idOrFileName.trim().toLowerCase();
  if (key === '') return undefined;
  const byId = among.find((plugin) => plugin.id === key);
  if (byId) return byId;
  const name = key.includes('.') ? key.slice(key.search(/[^/\\]*$/)) : `.${key}`;
  let best: LanguagePlugin | undefined;
  let bestLength = 0;
  for (const plugin of among) {
    for (const extension of plugin.extensions) {
      const ext = extension.toLowerCase();
      if (ext.length > bestLength && name.endsWith(ext)) {
        best = plugin;
        bestLength = ext.length;
      }
    }
  }
  return best;
}

/** An outline entry as `buffer.outline` sends it: flat, in document order, `depth` 0 at the top. */
export interface FlatOutlineItem {
  name: string;
  kind: string;
  from: number;
  to: number;
  depth: number;
}

/**
 * `items` flattened in document order (each entry before its children), `depth` being the nesting
 * depth, not a heading's level: an `###` directly under a `#` has depth 1.
 */
export function flattenOutline(items: readonly OutlineItem[]): FlatOutlineItem[] {
  const flat: FlatOutlineItem[] = [];
  const stack: { item: OutlineItem; depth: number }[] = [];
  for (let i = items.length - 1; i >= 0; i--) stack.push({ item: items[i]!, depth: 0 });
  while (stack.length > 0) {
    const { item, depth } = stack.pop()!;
    flat.push({ name: item.label, kind: item.kind, from: item.from, to: item.to, depth });
    for (let i = item.children.length - 1; i >= 0; i--)
      stack.push({ item: item.children[i]!, depth: depth + 1 });
  }
  return flat;
}
