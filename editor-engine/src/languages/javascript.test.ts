// Tests of the JavaScript and TypeScript plugins: outlines, colours, JSX, broken and minified code.
import { describe, expect, it } from 'vitest';
import { languageFor, type OutlineItem, type Token } from './index.js';

const typescript = languageFor('typescript')!;
const javascript = languageFor('javascript')!;

/** Each outline entry as `label (kind level)`, indented by nesting. */
function shape(items: OutlineItem[], indent = ''): string[] {
  return items.flatMap((item) => [
    `${indent}${item.label} (${item.kind} ${item.level})`,
    ...shape(item.children, `${indent}  `),
  ]);
}

function tokenAt(text: string, tokens: Token[], needle: string): string | undefined {
  const at = text.indexOf(needle);
  return tokens.find((token) => token.from <= at && at < token.to)?.type;
}

const service = `import { readFile } from 'node:fs/promises';

/** A stored document. */
export interface Doc<T = unknown> {
  readonly id: string;
  body?: T;
  render(format: 'html' | 'md'): string;
}

export type DocId = string & { readonly __brand: 'DocId' };
export enum Role { Owner = 'owner', Viewer = 'viewer' }

export const MAX_DOCS = 1_000;
export const isDocId = (value: unknown): value is DocId => typeof value === 'string';
const parse = async function (path: string) { return JSON.parse(await readFile(path, 'utf8')); };

export abstract class DocStore<T> implements Iterable<Doc<T>> {
  static readonly instances = 0;
  #docs = new Map<string, Doc<T>>();
  protected onChange = (id: string) => console.log(id);

  constructor(private readonly root: string) {}

  get size(): number { return this.#docs.size; }

  async load(id: DocId): Promise<Doc<T> | undefined> {
    function cacheKey() { return id; }
    const raw = await parse(\`\${this.root}/\${id}.json\`);
    return raw as Doc<T>;
  }

  *[Symbol.iterator]() { yield* this.#docs.values(); }
}

export default function main(): void {}

export namespace Legacy { export const version = 1; }
`;

describe('typescript outline', () => {
  it('lists interfaces, types, enums, variables, arrow functions and classes with their members', () => {
    expect(shape(typescript.outline(service))).toEqual([
      'Doc (interface 1)',
      '  id (property 2)',
      '  body (property 2)',
      '  render (method 2)',
      'DocId (type 1)',
      'Role (enum 1)',
      '  Owner (enumMember 2)',
      '  Viewer (enumMember 2)',
      'MAX_DOCS (variable 1)',
      'isDocId (function 1)',
      'parse (function 1)',
      'DocStore (class 1)',
      '  instances (property 2)',
      '  #docs (property 2)',
      '  onChange (method 2)',
      '  constructor (method 2)',
      '  size (method 2)',
      '  load (method 2)',
      '    cacheKey (function 3)',
      '  [Symbol.iterator] (method 2)',
      'main (function 1)',
      'Legacy (namespace 1)',
      '  version (variable 2)',
    ]);
  });

  it('spans an exported declaration from its export keyword to its end', () => {
    const store = typescript.outline(service).find((item) => item.label === 'DocStore')!;
    expect(service.slice(store.from, store.to)).toMatch(
      /^export abstract class DocStore<T>[\s\S]*values\(\); }\n}$/,
    );
    const load = store.children.find((item) => item.label === 'load')!;
    expect(service.slice(load.from, load.to)).toMatch(
      /^async load\(id: DocId\)[\s\S]*return raw as Doc<T>;\n {2}}$/,
    );
  });

  it('colours keywords, types, strings, numbers, comments and definitions', () => {
    const tokens = typescript.tokens(service);
    expect(tokenAt(service, tokens, 'import')).toBe('keyword');
    expect(tokenAt(service, tokens, "'node:fs/promises'")).toBe('string');
    expect(tokenAt(service, tokens, '/** A stored')).toBe('comment');
    expect(tokenAt(service, tokens, 'interface')).toBe('keyword');
    expect(tokenAt(service, tokens, 'Doc<T')).toBe('typeName');
    expect(tokenAt(service, tokens, '1_000')).toBe('number');
    expect(tokenAt(service, tokens, 'isDocId')).toBe('variableName');
    expect(tokenAt(service, tokens, 'DocStore<T>')).toBe('className');
    expect(tokenAt(service, tokens, 'instances')).toBe('propertyName');
    expect(tokenAt(service, tokens, '=>')).toBe('punctuation');
    expect(tokenAt(service, tokens, '&')).toBe('operator');
    expect(tokenAt(service, tokens, '`${')).toBe('string');
  });
});

describe('javascript', () => {
  it('outlines functions, classes and top-level bindings, and colours null, booleans and regexps', () => {
    const code =
      'function a() {}\nclass B { m() {} }\nlet { c, d: [e] } = f, g = null;\nconst h = /x+/g, i = true;\n';
    expect(shape(javascript.outline(code))).toEqual([
      'a (function 1)',
      'B (class 1)',
      '  m (method 2)',
      'c (variable 1)',
      'e (variable 1)',
      'g (variable 1)',
      'h (variable 1)',
      'i (variable 1)',
    ]);
    const tokens = javascript.tokens(code);
    expect(tokenAt(code, tokens, 'null')).toBe('null');
    expect(tokenAt(code, tokens, 'true')).toBe('bool');
    expect(tokenAt(code, tokens, '/x+/g')).toBe('regexp');
  });

  it('parses JSX only for jsx and tsx', () => {
    const code = 'export const App = () => <div className="x">{count}</div>;\n';
    expect(shape(languageFor('App.jsx')!.outline(code))).toEqual(['App (function 1)']);
    expect(shape(languageFor('App.tsx')!.outline(code))).toEqual(['App (function 1)']);
    const tokens = languageFor('App.tsx')!.tokens(code);
    expect(tokenAt(code, tokens, '"x"')).toBe('string');
  });

  it('outlines what it can of broken or partial code', () => {
    const broken = 'export class Half {\n  ok() { return 1 }\n  broken( {\n}\nfunction after() {\nconst x = ';
    const labels = shape(typescript.outline(broken)).map((line) => line.trim());
    expect(labels).toContain('Half (class 1)');
    expect(labels).toContain('ok (method 2)');
    expect(typescript.outline('')).toEqual([]);
    expect(typescript.tokens('')).toEqual([]);
    expect(typescript.outline('}}}{{{)))(((')).toEqual([]);
  });

  it('caps nesting depth and item count, marking what was cut', () => {
    const nested = `${'function f() {\n'.repeat(50)}${'}\n'.repeat(50)}`;
    const deep = typescript.outlineWithStatus(nested, { maxDepth: 5 });
    expect(deep.truncated).toBe(true);
    let item = deep.items[0]!;
    for (let level = 1; level < 5; level++) item = item.children[0]!;
    expect(item.level).toBe(5);
    expect(item.truncated).toBe(true);
    expect(item.children).toEqual([]);

    const many = Array.from({ length: 50 }, (_, i) => `const v${i} = ${i};`).join('\n');
    const capped = typescript.outlineWithStatus(many, { maxItems: 10 });
    expect(capped.items).toHaveLength(10);
    expect(capped.truncated).toBe(true);
  });
});

describe('object literals', () => {
  it('outlines the properties and methods of an object bound to a name or exported as default', () => {
    const code = `export const api = {
  get(id) { function local() {} },
  post: async (body) => body,
  'content-type': 'json',
  limits: { size: 1, nested: { deep: true } },
  ...defaults,
  [computed]: 1,
};
export default { name: 'widget', data() { return {}; } };
`;
    expect(shape(javascript.outline(code))).toEqual([
      'api (object 1)',
      '  get (method 2)',
      '    local (function 3)',
      '  post (method 2)',
      '  content-type (property 2)',
      '  limits (object 2)',
      '    size (property 3)',
      '    nested (object 3)',
      '      deep (property 4)',
      'default (object 1)',
      '  name (property 2)',
      '  data (method 2)',
    ]);
    const limits = javascript.outline(code)[0]!.children.find((item) => item.label === 'limits')!;
    expect(code.slice(limits.from, limits.to)).toBe('limits: { size: 1, nested: { deep: true } }');
  });

  it('still lists an object-valued binding inside a function only if it is a function or class', () => {
    expect(shape(javascript.outline('function f() { const o = { a: 1 }; }'))).toEqual(['f (function 1)']);
  });
});

describe('minified code', () => {
  it('outlines a `var` with thousands of declarators, up to the item limit', () => {
    const declarators = Array.from({ length: 20_000 }, (_, i) => `a${i}=function(){}`).join(',');
    const result = javascript.outlineWithStatus(`var ${declarators};`);
    expect(result.truncated).toBe(true);
    expect(result.items).toHaveLength(5_000);
    expect(result.items[1]).toMatchObject({ label: 'a1', kind: 'function' });
  });
});
