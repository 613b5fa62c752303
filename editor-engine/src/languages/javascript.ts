// The JavaScript, JSX, TypeScript and TSX language plugins: lezer grammars, tokens and outlines.
import type { SyntaxNode, Tree } from '@lezer/common';
import { parser as baseParser } from '@lezer/javascript';
import type { LRParser } from '@lezer/lr';
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

/** The four dialects of @lezer/javascript's grammar: TypeScript and JSX each on or off. */
export const javascriptParsers: Record<'javascript' | 'jsx' | 'typescript' | 'tsx', LRParser> = {
  javascript: baseParser,
  jsx: baseParser.configure({ dialect: 'jsx' }),
  typescript: baseParser.configure({ dialect: 'ts' }),
  tsx: baseParser.configure({ dialect: 'ts jsx' }),
};

const functionValues = new Set(['ArrowFunction', 'FunctionExpression']);

function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
  return children;
}

/**
 * Builds the outline of one script: declarations at the top level and, nested under them, the
 * members of classes, interfaces, enums and namespaces and the functions declared inside functions.
 */
class OutlineWalker {
  readonly #text: string;
  readonly #budget: OutlineBudget;

  constructor(text: string, budget: OutlineBudget) {
    this.#text = text;
    this.#budget = budget;
  }

  /**
   * Entries for the statements of `container`. `everyVariable` keeps plain variables too (at the top
   * level and in namespaces); inside functions only function- and class-valued ones are outlined.
   */
  statements(container: SyntaxNode, depth: number, parent: OutlineItem | undefined, everyVariable: boolean) {
    const out: OutlineItem[] = [];
    for (const statement of childrenOf(container)) {
      if (this.#budget.exhausted) {
        this.#budget.admit(depth, parent);
        break;
      }
      this.#statement(statement, statement.from, depth, parent, everyVariable, out);
    }
    return out;
  }

  #statement(
    node: SyntaxNode,
    from: number,
    depth: number,
    parent: OutlineItem | undefined,
    everyVariable: boolean,
    out: OutlineItem[],
  ): void {
    switch (node.name) {
      case 'ExportDeclaration':
      case 'AmbientDeclaration':
        for (const inner of childrenOf(node)) {
          if (inner.name === 'default') continue;
          if (functionValues.has(inner.name) || inner.name === 'ClassExpression') {
            this.#declaration(inner, 'default', from, node.to, depth, parent, out);
          } else if (inner.name === 'ObjectExpression') {
            this.#object(inner, 'default', { from, to: node.to }, depth, parent, out);
          } else {
            this.#statement(inner, from, depth, parent, everyVariable, out);
          }
        }
        return;
      case 'FunctionDeclaration':
      case 'ClassDeclaration':
        this.#declaration(node, this.#nameOf(node, 'default'), from, node.to, depth, parent, out);
        return;
      case 'VariableDeclaration':
        this.#variables(node, from, depth, parent, everyVariable, out);
        return;
      case 'InterfaceDeclaration':
      case 'TypeAliasDeclaration':
      case 'EnumDeclaration':
      case 'NamespaceDeclaration':
      case 'GlobalDeclaration':
        this.#declaration(
          node,
          this.#nameOf(node, node.name === 'GlobalDeclaration' ? 'global' : ''),
          from,
          node.to,
          depth,
          parent,
          out,
        );
        return;
    }
  }

  /** The declared name: the first definition child, or for `namespace A.B` the dotted path. */
  #nameOf(node: SyntaxNode, fallback: string): string {
    let first: SyntaxNode | null = null;
    let last: SyntaxNode | null = null;
    for (let child = node.firstChild; child; child = child.nextSibling) {
      const isName = /Definition$/.test(child.name);
      if (isName && !first) first = child;
      if (isName) last = child;
      else if (first && child.name !== '.') break;
    }
    if (!first || !last) return fallback;
    return outlineLabel(this.#text.slice(first.from, last.to)) || fallback;
  }

  /** One entry for a function, class, interface, type, enum or namespace, with its members. */
  #declaration(
    node: SyntaxNode,
    label: string,
    from: number,
    to: number,
    depth: number,
    parent: OutlineItem | undefined,
    out: OutlineItem[],
  ): void {
    if (!this.#budget.admit(depth, parent)) return;
    const item: OutlineItem = {
      label: label || '(anonymous)',
      kind: kindOf(node.name),
      level: depth,
      from,
      to,
      children: [],
    };
    out.push(item);
    item.children = this.#members(node, depth + 1, item);
  }

  #members(node: SyntaxNode, depth: number, item: OutlineItem): OutlineItem[] {
    if (node.name === 'TypeAliasDeclaration') {
      const objectType = node.getChild('ObjectType');
      return objectType ? this.#typeMembers(objectType, depth, item) : [];
    }
    const classBody = node.getChild('ClassBody');
    if (classBody) return this.#classMembers(classBody, depth, item);
    const objectType = node.getChild('ObjectType');
    if (objectType) return this.#typeMembers(objectType, depth, item);
    const enumBody = node.getChild('EnumBody');
    if (enumBody) return this.#enumMembers(enumBody, depth, item);
    const block = node.getChild('Block');
    const namespace = node.name === 'NamespaceDeclaration' || node.name === 'GlobalDeclaration';
    return block ? this.statements(block, depth, item, namespace) : [];
  }

  #classMembers(body: SyntaxNode, depth: number, parent: OutlineItem): OutlineItem[] {
    const out: OutlineItem[] = [];
    for (const member of childrenOf(body)) {
      if (member.name !== 'MethodDeclaration' && member.name !== 'PropertyDeclaration') continue;
      const name =
        member.getChild('PropertyDefinition') ??
        member.getChild('PrivatePropertyDefinition') ??
        computedName(member);
      if (!name) continue;
      const value = member.getChild('ArrowFunction') ?? member.getChild('FunctionExpression');
      const isMethod = member.name === 'MethodDeclaration' || value !== null;
      if (!this.#budget.admit(depth, parent)) break;
      const item: OutlineItem = {
        label: outlineLabel(this.#text.slice(name.from, name.to)),
        kind: isMethod ? 'method' : 'property',
        level: depth,
        from: member.from,
        to: member.to,
        children: [],
      };
      out.push(item);
      const block = (value ?? member).getChild('Block');
      if (block) item.children = this.statements(block, depth + 1, item, false);
    }
    return out;
  }

  #typeMembers(body: SyntaxNode, depth: number, parent: OutlineItem): OutlineItem[] {
    const out: OutlineItem[] = [];
    for (const member of childrenOf(body)) {
      if (member.name !== 'PropertyType' && member.name !== 'MethodType') continue;
      const name = member.getChild('PropertyDefinition');
      if (!name) continue;
      if (!this.#budget.admit(depth, parent)) break;
      out.push({
        label: outlineLabel(this.#text.slice(name.from, name.to)),
        kind: member.name === 'MethodType' ? 'method' : 'property',
        level: depth,
        from: member.from,
        to: member.to,
        children: [],
      });
    }
    return out;
  }

  #enumMembers(body: SyntaxNode, depth: number, parent: OutlineItem): OutlineItem[] {
    const out: OutlineItem[] = [];
    for (const member of body.getChildren('PropertyName')) {
      if (!this.#budget.admit(depth, parent)) break;
      out.push({
        label: outlineLabel(this.#text.slice(member.from, member.to)),
        kind: 'enumMember',
        level: depth,
        from: member.from,
        to: member.to,
        children: [],
      });
    }
    return out;
  }

  /**
   * Entries for `const a = …, b = …`: one per declared name. A lone declarator spans the whole
   * statement; several each span their name to the end of their value.
   */
  #variables(
    node: SyntaxNode,
    from: number,
    depth: number,
    parent: OutlineItem | undefined,
    everyVariable: boolean,
    out: OutlineItem[],
  ): void {
    const children = childrenOf(node);
    // A Set: minified code declares thousands of names in one `var`.
    const names = new Set(children.filter((child) => /Definition$|Pattern$/.test(child.name)));
    for (let i = 0; i < children.length; i++) {
      const name = children[i]!;
      if (!names.has(name)) continue;
      let value: SyntaxNode | undefined;
      let end = name.to;
      for (let j = i + 1; j < children.length && children[j]!.name !== ',' && !names.has(children[j]!); j++) {
        if (children[j]!.name !== ';') end = children[j]!.to;
        if (children[j - 1]!.name === 'Equals') value = children[j];
      }
      const span = names.size === 1 ? { from, to: node.to } : { from: name.from, to: end };
      if (value && (functionValues.has(value.name) || value.name === 'ClassExpression')) {
        this.#declaration(
          value,
          outlineLabel(this.#text.slice(name.from, name.to)),
          span.from,
          span.to,
          depth,
          parent,
          out,
        );
      } else if (everyVariable && value?.name === 'ObjectExpression' && !name.name.endsWith('Pattern')) {
        this.#object(value, outlineLabel(this.#text.slice(name.from, name.to)), span, depth, parent, out);
      } else if (everyVariable) {
        const definitions = name.name.endsWith('Pattern') ? this.#patternNames(name) : [name];
        for (const definition of definitions) {
          if (!this.#budget.admit(depth, parent)) return;
          out.push({
            label: outlineLabel(this.#text.slice(definition.from, definition.to)),
            kind: 'variable',
            level: depth,
            ...(definitions.length === 1 ? span : { from: definition.from, to: definition.to }),
            children: [],
          });
        }
      }
    }
  }

  /**
   * An entry for an object literal bound to a name (`const api = {…}`, `export default {…}`), with its
   * properties as children: methods and function-valued properties as methods, nested objects
   * recursively, spreads and computed keys left out.
   */
  #object(
    object: SyntaxNode,
    label: string,
    span: { from: number; to: number },
    depth: number,
    parent: OutlineItem | undefined,
    out: OutlineItem[],
  ): void {
    if (!this.#budget.admit(depth, parent)) return;
    const item: OutlineItem = {
      label,
      kind: 'object',
      level: depth,
      from: span.from,
      to: span.to,
      children: [],
    };
    out.push(item);
    for (const property of object.getChildren('Property')) {
      const name = property.getChild('PropertyDefinition') ?? property.getChild('String');
      if (!name) continue;
      const value = property.getChild('ArrowFunction') ?? property.getChild('FunctionExpression');
      const nested = property.getChild('ObjectExpression');
      const key = this.#text.slice(name.from, name.to);
      const keyLabel = outlineLabel(name.name === 'String' ? key.slice(1, -1) : key);
      if (nested) {
        this.#object(
          nested,
          keyLabel,
          { from: property.from, to: property.to },
          depth + 1,
          item,
          item.children,
        );
        continue;
      }
      if (!this.#budget.admit(depth + 1, item)) break;
      const isMethod = value !== null || property.getChild('ParamList') !== null;
      const member: OutlineItem = {
        label: keyLabel,
        kind: isMethod ? 'method' : 'property',
        level: depth + 1,
        from: property.from,
        to: property.to,
        children: [],
      };
      item.children.push(member);
      const block = (value ?? property).getChild('Block');
      if (block) member.children = this.statements(block, depth + 2, member, false);
    }
  }

  /** The names bound by a destructuring pattern, in order (bounded by the outline's item limit). */
  #patternNames(pattern: SyntaxNode): SyntaxNode[] {
    const names: SyntaxNode[] = [];
    const cursor = pattern.cursor();
    const end = pattern.to;
    while (cursor.next() && cursor.from < end && names.length <= this.#budget.maxItems) {
      if (cursor.name === 'VariableDefinition') names.push(cursor.node);
    }
    return names;
  }
}

/** The `[…]` of a method with a computed name (`*[Symbol.iterator]()`), as one span. */
function computedName(member: SyntaxNode): { from: number; to: number } | null {
  if (member.name !== 'MethodDeclaration') return null;
  const open = member.getChild('[');
  const close = member.getChild(']');
  return open && close ? { from: open.from, to: close.to } : null;
}

function kindOf(nodeName: string): string {
  switch (nodeName) {
    case 'ClassDeclaration':
    case 'ClassExpression':
      return 'class';
    case 'InterfaceDeclaration':
      return 'interface';
    case 'TypeAliasDeclaration':
      return 'type';
    case 'EnumDeclaration':
      return 'enum';
    case 'NamespaceDeclaration':
    case 'GlobalDeclaration':
      return 'namespace';
    default:
      return 'function';
  }
}

function scriptOutline(tree: Tree, text: string, limits?: Partial<OutlineLimits>): OutlineResult {
  const budget = new OutlineBudget(limits);
  const items = new OutlineWalker(text, budget).statements(tree.topNode, 1, undefined, true);
  return { items, truncated: budget.truncated };
}

function scriptLanguage(
  id: keyof typeof javascriptParsers,
  name: string,
  extensions: string[],
): LanguagePlugin {
  const cache = new ParseCache(javascriptParsers[id]);
  return {
    id,
    name,
    extensions,
    tokens(text: string, range?: TextRange) {
      return tokensIn(cache, text, range);
    },
    prepare(text: string, range?: TextRange) {
      return prepareIn(cache, text, range);
    },
    outline(text: string) {
      return scriptOutline(cache.tree(text), text).items;
    },
    outlineWithStatus(text: string, limits?: Partial<OutlineLimits>) {
      return scriptOutline(cache.tree(text), text, limits);
    },
  };
}

/** JavaScript (ES2025 modules and scripts), without JSX. */
export const javascript = scriptLanguage('javascript', 'JavaScript', ['.js', '.mjs', '.cjs']);
/** JavaScript with JSX. */
export const jsx = scriptLanguage('jsx', 'JavaScript JSX', ['.jsx']);
/** TypeScript, without JSX (so `<T>value` casts parse). */
export const typescript = scriptLanguage('typescript', 'TypeScript', ['.ts', '.mts', '.cts']);
/** TypeScript with JSX. */
export const tsx = scriptLanguage('tsx', 'TypeScript JSX', ['.tsx']);
