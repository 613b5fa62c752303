// Tests of the JSON plugin: nested outlines, spans, broken JSON, colours, and limits on huge Documents.
import { describe, expect, it } from 'vitest';
import { languageFor, type OutlineItem, type Token } from './index.js';

const json = languageFor('json')!;

/** Each outline entry as `label (kind)`, indented by nesting. */
function shape(items: OutlineItem[], indent = ''): string[] {
  return items.flatMap((item) => [
    `${indent}${item.label} (${item.kind})`,
    ...shape(item.children, `${indent}  `),
  ]);
}

function tokenAt(text: string, tokens: Token[], needle: string): string | undefined {
  const at = text.indexOf(needle);
  return tokens.find((token) => token.from <= at && at < token.to)?.type;
}

const manifest = `{
  "name": "@symphony/editor-engine",
  "private": true,
  "version": 1.5,
  "main": null,
  "scripts": { "build": "tsc -b", "test": "vitest" },
  "files": ["dist", { "glob": "*.md" }],
  "with \\"escapes\\"": {}
}`;

describe('json outline', () => {
  it('nests object keys and labels array elements by index, with the kind of each value', () => {
    expect(shape(json.outline(manifest))).toEqual([
      'name (string)',
      'private (boolean)',
      'version (number)',
      'main (null)',
      'scripts (object)',
      '  build (string)',
      '  test (string)',
      'files (array)',
      '  0 (string)',
      '  1 (object)',
      '    glob (string)',
      'with "escapes" (object)',
    ]);
  });

  it('spans a property from its key to the end of its value', () => {
    const scripts = json.outline(manifest).find((item) => item.label === 'scripts')!;
    expect(manifest.slice(scripts.from, scripts.to)).toBe(
      '"scripts": { "build": "tsc -b", "test": "vitest" }',
    );
    expect(scripts.level).toBe(1);
    expect(scripts.children[0]!.level).toBe(2);
  });

  it('outlines a top-level array, and nothing for a scalar or empty document', () => {
    expect(shape(json.outline('[1, [2], {"a": 3}]'))).toEqual([
      '0 (number)',
      '1 (array)',
      '  0 (number)',
      '2 (object)',
      '  a (number)',
    ]);
    expect(json.outline('42')).toEqual([]);
    expect(json.outline('')).toEqual([]);
  });

  it('outlines what it can of broken JSON', () => {
    const broken = '{"a": [1, 2, "b": tru, "c": {"d": 1,, }, // comment\n "e": ';
    const labels = shape(json.outline(broken));
    expect(labels).toContain('a (array)');
    expect(json.outline('}{][')).toEqual([]);
    expect(json.outline('{"unterminated')).toEqual([]);
    expect(shape(json.outline('{"a": }'))).toEqual(['a (property)']);
  });

  it('colours keys, strings, numbers, booleans, null and punctuation', () => {
    const tokens = json.tokens(manifest);
    expect(tokenAt(manifest, tokens, '"name"')).toBe('propertyName');
    expect(tokenAt(manifest, tokens, '"@symphony')).toBe('string');
    expect(tokenAt(manifest, tokens, '1.5')).toBe('number');
    expect(tokenAt(manifest, tokens, 'true')).toBe('bool');
    expect(tokenAt(manifest, tokens, 'null')).toBe('null');
    expect(tokenAt(manifest, tokens, '{')).toBe('punctuation');
  });

  it('caps depth and size on huge or deeply nested documents without overflowing the stack', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const deepResult = json.outlineWithStatus(deep);
    expect(deepResult.truncated).toBe(true);
    let depth = 0;
    for (let items = deepResult.items; items.length > 0; items = items[0]!.children) depth++;
    expect(depth).toBe(32);

    const wide = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ i })));
    const wideResult = json.outlineWithStatus(wide);
    expect(wideResult.truncated).toBe(true);
    const count = (items: OutlineItem[]): number =>
      items.reduce((n, item) => n + 1 + count(item.children), 0);
    expect(count(wideResult.items)).toBe(5_000);
    expect(shape(json.outlineWithStatus(wide, { maxItems: 3 }).items)).toEqual([
      '0 (object)',
      '  i (number)',
      '1 (object)',
    ]);
  });
});
