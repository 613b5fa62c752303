// Cache keys: the same inputs give the same key in any key order; anything that changes the output changes it.
import type { ArtifactHash } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson } from './cache-key.js';

const h = (c: string) => c.repeat(64) as ArtifactHash;
const base = {
  type: 'summarize',
  version: '1',
  params: { length: 'short', focus: '' },
  inputs: [{ port: 'text', hashes: [h('a')] }],
};

describe('canonicalJson', () => {
  it('sorts object keys at every depth and leaves arrays in order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
    expect(canonicalJson('é\u2028')).toBe(JSON.stringify('é\u2028'));
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow(/cycle/);
  });
});

describe('cacheKey', () => {
  it('is a SHA-256 that ignores param key order', () => {
    const key = cacheKey(base);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey({ ...base, params: { focus: '', length: 'short' } })).toBe(key);
  });

  it('changes with the type, the step version, a param, an input hash, the input order and the port', () => {
    const key = cacheKey(base);
    const variants = [
      { ...base, type: 'translate' },
      { ...base, version: '2' },
      { ...base, params: { length: 'long', focus: '' } },
      { ...base, inputs: [{ port: 'text', hashes: [h('b')] }] },
      { ...base, inputs: [{ port: 'other', hashes: [h('a')] }] },
      { ...base, inputs: [{ port: 'text', hashes: [h('a'), h('b')] }] },
      { ...base, inputs: [{ port: 'text', hashes: [h('b'), h('a')] }] },
      { ...base, inputs: [{ port: 'text', hashes: [] }] },
    ];
    const keys = new Set([key, ...variants.map(cacheKey)]);
    expect(keys.size).toBe(variants.length + 1);
  });
});
