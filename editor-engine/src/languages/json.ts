// The JSON language plugin: tokens, and an outline of keys and array elements with their value kinds.
import type { SyntaxNode, Tree } from '@lezer/common';
import { parser } from '@lezer/json';
import { prepareIn, tokensIn } from './highlight.js';
import type {
  LanguagePlugin,
  OutlineItem,
  OutlineLimits,
  OutlineResult,
  TextRange,
} from './LanguagePlugin.js';
import { OutlineBudget, outlineLabel } from './outlineBudget.js';
import { ParseCache } from './ParseCache.js';

/** The JSON grammar, shared with Markdown's fenced `json` blocks. */
export const jsonParser = parser;

/** Grammar node → outline kind of a JSON value. */
const valueKinds: Record<string, string> = {
  Object: 'object',
  Array: 'array',
  String: 'string',
  Number: 'number',
  True: 'boolean',
  False: 'boolean',
  Null: 'null',
};

/** A property name as written (without quotes or escapes), or its raw text if it does not decode. */
function keyLabel(text: string, name: SyntaxNode): string {
  const raw = text.slice(name.from, Math.min(name.to, name.from + 400));
  if (name.to - name.from <= 400) {
    try {
      const decoded: unknown = JSON.parse(raw);
      if (typeof decoded === 'string') return outlineLabel(decoded);
    } catch {
      // An unterminated or badly escaped key: show what was typed.
    }
  }
  return outlineLabel(raw.replace(/^"|"$/g, ''));
}

/**
 * Entries for the members of `container` (an object's properties or an array's elements) at `depth`,
 * recursing into nested containers until the budget's depth or size runs out. The recursion is
 * bounded by the budget's depth limit, however deep the document nests.
 */
function members(
  text: string,
  container: SyntaxNode,
  depth: number,
  parent: OutlineItem | undefined,
  budget: OutlineBudget,
): OutlineItem[] {
  const out: OutlineItem[] = [];
  let index = 0;
  for (let child = container.firstChild; child; child = child.nextSibling) {
    let label: string;
    let value: SyntaxNode | null;
    if (container.name === 'Object') {
      if (child.name !== 'Property') continue;
      const name = child.getChild('PropertyName');
      value = name ? name.nextSibling : child.firstChild;
      while (value && !(value.name in valueKinds)) value = value.nextSibling;
      label = name ? keyLabel(text, name) : '';
    } else {
      if (!(child.name in valueKinds)) continue;
      value = child;
      label = String(index++);
    }
    if (!budget.admit(depth, parent)) {
      if (budget.exhausted) break;
      continue;
    }
    const item: OutlineItem = {
      label,
      kind: value ? valueKinds[value.name]! : 'property',
      level: depth,
      from: child.from,
      to: child.to,
      children: [],
    };
    out.push(item);
    if (value && (value.name === 'Object' || value.name === 'Array')) {
      item.children = members(text, value, depth + 1, item, budget);
    }
  }
  return out;
}

/**
 * Object keys nested under their objects, array elements labelled by index; a scalar document has
 * no outline.
 */
function jsonOutline(tree: Tree, text: string, limits?: Partial<OutlineLimits>): OutlineResult {
  const budget = new OutlineBudget(limits);
  let root = tree.topNode.firstChild;
  while (root && root.name !== 'Object' && root.name !== 'Array') root = root.nextSibling;
  const items = root ? members(text, root, 1, undefined, budget) : [];
  return { items, truncated: budget.truncated };
}

const cache = new ParseCache(jsonParser);

/** JSON (RFC 8259); comments and trailing commas parse as errors but do not stop the outline. */
export const json: LanguagePlugin = {
  id: 'json',
  name: 'JSON',
  extensions: ['.json'],
  tokens(text: string, range?: TextRange) {
    return tokensIn(cache, text, range);
  },
  prepare(text: string, range?: TextRange) {
    return prepareIn(cache, text, range);
  },
  outline(text: string) {
    return jsonOutline(cache.tree(text), text).items;
  },
  outlineWithStatus(text: string, limits?: Partial<OutlineLimits>) {
    return jsonOutline(cache.tree(text), text, limits);
  },
};
