// Tests of OFB's error-code contract: every code it sends is an OfbErrorCode constant, and every code
// its callers branch on is one it sends.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OfbErrorCode } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';

// One wire contract: every code OFB sends is an `OfbErrorCode` constant (schemas/src/errors.ts),
// every constant is one OFB sends, and every code its callers branch on is one of them.

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The TypeScript sources under `dir` (tests left out), with their text. */
function sources(dir: string): { path: string; text: string }[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => ({ path: `${dir}/${f}`, text: readFileSync(join(root, dir, f), 'utf8') }));
}

const ofbSources = sources('ofb/src');
const constants = new Map(Object.entries(OfbErrorCode));
const codes = new Set<string>(Object.values(OfbErrorCode));

describe('OFB error codes', () => {
  it('OFB uses every OfbErrorCode constant, and only those', () => {
    const used = new Set<string>();
    for (const { text } of ofbSources)
      for (const [, name] of text.matchAll(/OfbErrorCode\.(\w+)/g)) used.add(name!);
    expect([...used].filter((name) => !constants.has(name))).toEqual([]);
    expect([...constants.keys()].filter((name) => !used.has(name)).sort()).toEqual([]);
  });

  it('OFB never sends a code written as a string', () => {
    const literal = [
      // new OfbError(status, category, 'code', …) and new AuthError('code', …)
      /new OfbError\(\s*\d+,\s*'[a-z_]+',\s*'([a-z_]+)'/g,
      /new AuthError\(\s*'([a-z_]+)'/g,
      // errorBody(category, 'code', …)
      /errorBody\(\s*(?:'[a-z_]+'|ErrorCategory\.\w+),\s*'([a-z_]+)'/g,
      // code: 'x' in a rule violation
      /\bcode: '([a-z_]+)'/g,
    ];
    const found: string[] = [];
    for (const { path, text } of ofbSources)
      for (const pattern of literal) for (const m of text.matchAll(pattern)) found.push(`${path}: ${m[1]}`);
    expect(found).toEqual([]);
  });

  it('every code a client or the sync-server branches on is one OFB sends', () => {
    // The modules that read OFB's codes; string literals compared with a code must be OFB's codes.
    const callers = [
      ...sources('client/src/core').filter((s) => /refusal/.test(s.path)),
      ...sources('client/src/ofb'),
      ...sources('sync-server/src/access').filter((s) => /Ofb/.test(s.path)),
      ...sources('sync-server/src/persistence').filter((s) => /Ofb/.test(s.path)),
    ];
    const compared: string[] = [];
    for (const { path, text } of callers) {
      for (const [, name] of text.matchAll(/OfbErrorCode\.(\w+)/g))
        if (!constants.has(name!)) compared.push(`${path}: OfbErrorCode.${name}`);
      for (const [, code] of text.matchAll(/(?:code\s*[!=]==\s*|case\s+)'([a-z]+(?:_[a-z]+)+)'/g))
        if (!codes.has(code!)) compared.push(`${path}: ${code}`);
    }
    expect(compared).toEqual([]);
  });

  it('storage-refusal.ts branches on OfbErrorCode constants, no string codes', () => {
    const text = readFileSync(join(root, 'client/src/core/storage-refusal.ts'), 'utf8');
    expect(text).toMatch(/OfbErrorCode\.documentNotFound/);
    expect(text).not.toMatch(/'[a-z]+(?:_[a-z]+)+'/);
  });
});
