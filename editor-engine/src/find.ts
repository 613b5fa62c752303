// Search in a buffer: compiling a find query, scanning for matches (whole words too), expanding replacements.
import { EngineError } from './errors.js';

/** What to look for, as `buffer.find` takes it. */
export interface FindQuery {
  query: string;
  regex?: boolean | undefined;
  caseSensitive?: boolean | undefined;
  wholeWord?: boolean | undefined;
}

/** A match in offsets, with the capture groups a regex replacement may refer to. */
export interface RawMatch {
  from: number;
  to: number;
  groups: (string | undefined)[];
  named: Record<string, string | undefined> | undefined;
}

const WORD = /[\p{L}\p{N}_]/u;

/**
 * A pattern like `(a+)+$` backtracks for ever on a long run of `a`s, and a search runs on the
 * engine's only thread. In Node, V8 is told to finish such a search with its linear-time engine
 * once it has backtracked too much (the same answer, without the blow-up). Patterns the linear
 * engine cannot run (backreferences, lookarounds) still backtrack; browsers have no such switch,
 * and there the engine's Worker is what keeps the page responsive.
 */
function enableLinearRegExpFallback(): void {
  const node = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  const v8 = node?.getBuiltinModule?.('node:v8') as { setFlagsFromString(flags: string): void } | undefined;
  v8?.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
}
enableLinearRegExpFallback();

/**
 * A compiled query: a global regular expression, or the query itself for a case-sensitive literal,
 * which {@link scan} finds with `indexOf` (about 25× faster than a RegExp over 10 MB).
 */
export type Matcher = RegExp | string;

/**
 * Compiles a query, or throws `InvalidPattern` saying why. A case-sensitive literal stays a string;
 * other literals are escaped into a RegExp; `g` and `m` are always set, `i` unless `caseSensitive`.
 */
export function compileQuery(q: FindQuery): Matcher {
  if (!q.regex && q.caseSensitive && q.query.length > 0) return q.query;
  const source = q.regex ? q.query : q.query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const flags = `gm${q.caseSensitive ? '' : 'i'}`;
  try {
    return new RegExp(source, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new EngineError('InvalidPattern', `query is not a valid regular expression: ${reason}`, {
      pattern: q.query,
      reason,
    });
  }
}

/**
 * Calls `visit` for each match of `re` in `text[from, to)`, in order, until it returns false.
 * Empty matches are skipped; with `wholeWord`, matches touching a letter, digit or `_` are skipped
 * and the search resumes one character later, so a whole word after a rejected one is still found.
 */
export function scan(
  text: string,
  re: Matcher,
  wholeWord: boolean,
  from: number,
  to: number,
  visit: (match: RawMatch) => boolean,
): void {
  if (typeof re === 'string') {
    scanLiteral(text, re, wholeWord, from, to, visit);
    return;
  }
  re.lastIndex = from;
  for (;;) {
    const m = re.exec(text);
    if (m === null) return;
    const start = m.index;
    const end = start + m[0].length;
    if (start >= to || end > to) return;
    if (end === start) {
      re.lastIndex = start + 1;
      continue;
    }
    if (wholeWord && (touchesWord(text, start - 1) || touchesWord(text, end))) {
      re.lastIndex = start + 1;
      continue;
    }
    if (!visit({ from: start, to: end, groups: m.slice(1), named: m.groups })) return;
    re.lastIndex = end;
  }
}

function scanLiteral(
  text: string,
  literal: string,
  wholeWord: boolean,
  from: number,
  to: number,
  visit: (match: RawMatch) => boolean,
): void {
  let at = from;
  for (;;) {
    const start = text.indexOf(literal, at);
    const end = start + literal.length;
    if (start < 0 || end > to) return;
    if (wholeWord && (touchesWord(text, start - 1) || touchesWord(text, end))) {
      at = start + 1;
      continue;
    }
    if (!visit({ from: start, to: end, groups: [], named: undefined })) return;
    at = end;
  }
}

function touchesWord(text: string, i: number): boolean {
  return i >= 0 && i < text.length && WORD.test(text[i]!);
}

/**
 * The replacement for one match, expanding `$$`, `$&`, `` $` ``, `$'`, `$1`…`$99` and `$<name>` as
 * `String.prototype.replace` does. Literal queries take the replacement as is.
 */
export function expandReplacement(
  replacement: string,
  text: string,
  match: RawMatch,
  regex: boolean,
): string {
  if (!regex || !replacement.includes('$')) return replacement;
  return replacement.replace(
    /\$(\$|&|`|'|<([^>]*)>|(\d{1,2}))/g,
    (whole, token: string, name?: string, digits?: string) => {
      if (token === '$') return '$';
      if (token === '&') return text.slice(match.from, match.to);
      if (token === '`') return text.slice(0, match.from);
      if (token === "'") return text.slice(match.to);
      if (name !== undefined) return match.named ? (match.named[name] ?? '') : whole;
      if (digits !== undefined) {
        const n = Number(digits);
        if (n >= 1 && n <= match.groups.length) return match.groups[n - 1] ?? '';
        // "$12" with one group is "$1" followed by "2", as in String.prototype.replace.
        if (digits.length === 2) {
          const first = Number(digits[0]);
          if (first >= 1 && first <= match.groups.length) return (match.groups[first - 1] ?? '') + digits[1];
        }
      }
      return whole;
    },
  );
}
