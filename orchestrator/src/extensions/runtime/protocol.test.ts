// The runtime's zod-free parsers against the contract's zod schemas: on seeded random messages built
// from valid and boundary field values, each accepts exactly what its schema accepts, with the same
// result. A failure names its seed and the message.
import {
  ExtensionCancel,
  ExtensionFetchChunk,
  ExtensionFetchEnd,
  ExtensionFetchError,
  ExtensionFetchHead,
  ExtensionInit,
  ExtensionLimits,
  ExtensionMethod,
  ExtensionRun,
} from '@symphony/schemas';
import * as prng from 'lib0/prng';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  MAX_OUTPUT_BYTES,
  Method,
  parseCancel,
  parseFetchChunk,
  parseFetchEnd,
  parseFetchError,
  parseFetchHead,
  parseInit,
  parseRun,
} from './protocol.js';

const SEED = Number(process.env.PROTOCOL_SEED ?? 1);
const MESSAGES = 400;

/** Values every field is tried with besides its own valid ones. */
const ANY = [undefined, null, 0, -1, 1.5, true, '', 'x', [], {}, [1], { a: 1 }];
const text = (n: number) => 'a'.repeat(n);

/** Field → candidate values, valid and not. */
type Fields = Record<string, readonly unknown[]>;

function sample(gen: prng.PRNG, fields: Fields): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  for (const [name, candidates] of Object.entries(fields)) {
    // Mostly valid values, so that whole messages pass often enough to compare results too.
    const pool = prng.real53(gen) < 0.85 ? candidates : ANY;
    const value = prng.oneOf(gen, pool as unknown[]);
    if (value !== undefined) message[name] = value;
  }
  return message;
}

function agree(
  name: string,
  schema: z.ZodType,
  parse: (value: unknown) => unknown,
  fields: Fields,
  pick: (parsed: unknown) => unknown = (parsed) => parsed,
) {
  it(`${name} accepts exactly what its schema accepts (seed ${SEED})`, () => {
    const gen = prng.create(SEED);
    let accepted = 0;
    for (let i = 0; i < MESSAGES; i++) {
      const message = prng.real53(gen) < 0.03 ? prng.oneOf(gen, ANY) : sample(gen, fields);
      const expected = schema.safeParse(message);
      let actual: { ok: true; value: unknown } | { ok: false; error: unknown };
      try {
        actual = { ok: true, value: parse(message) };
      } catch (error) {
        actual = { ok: false, error };
      }
      const where = `seed ${SEED}, message ${i}: ${JSON.stringify(message)?.slice(0, 300)}`;
      expect(actual.ok, where).toBe(expected.success);
      if (actual.ok && expected.success) {
        accepted++;
        expect(pick(actual.value), where).toEqual(pick(expected.data));
      }
    }
    expect(accepted, `seed ${SEED}: too few valid messages to compare results`).toBeGreaterThan(
      MESSAGES / 20,
    );
  });
}

const id200 = [text(1), text(200), text(201), 'n#1'];
const id100 = [text(1), text(100), text(101), 'f1'];

describe('the runtime protocol parsers', () => {
  it('use the contract’s method names and output limit', () => {
    expect(Method).toEqual(ExtensionMethod);
    expect(MAX_OUTPUT_BYTES).toBe(ExtensionLimits.maxOutputBytes);
  });

  agree('parseRun', ExtensionRun, parseRun, {
    callId: [...id200, ''],
    nodeType: ['run', '', text(64), text(65)],
    params: [{}, { text: 'hello' }, { nested: { a: [1] } }],
    inputs: [{}, { in: ['a'] }, { in: [] }, { in: 'a' }, { a: [1], b: null }],
    attempt: [1, 2, 1000, 0],
    idempotencyKey: ['', 'r/n/1', text(400), text(401)],
  });

  agree('parseCancel', ExtensionCancel, parseCancel, { callId: [...id200, ''] });
  agree('parseFetchChunk', ExtensionFetchChunk, parseFetchChunk, {
    fetchId: [...id100, ''],
    data: ['', 'aGVsbG8='],
  });
  agree('parseFetchEnd', ExtensionFetchEnd, parseFetchEnd, { fetchId: [...id100, ''] });
  agree('parseFetchError', ExtensionFetchError, parseFetchError, {
    fetchId: id100,
    message: ['', 'reset', text(2000), text(2001)],
  });
  agree('parseFetchHead', ExtensionFetchHead, parseFetchHead, {
    status: [100, 200, 404, 599, 99, 600, 200.5],
    statusText: ['', 'OK', text(500), text(501)],
    headers: [{}, { 'content-type': 'text/plain' }, { a: 'b', c: 'd' }, { a: 1 }],
  });

  // The runtime reads only the entry and the config of `extension.init` (the host parsed the whole
  // manifest): whatever the schema accepts it must accept with the same two, and it must refuse an
  // entry outside the extension's folder however the rest of the manifest looks.
  const manifest = {
    id: 'fixture.echo',
    version: '1.0.0',
    name: 'Echo',
    kind: 'operator',
  };
  it(`parseInit accepts every init the schema accepts, with its entry and config (seed ${SEED})`, () => {
    const gen = prng.create(SEED);
    for (let i = 0; i < MESSAGES; i++) {
      const entry = prng.oneOf(gen, ['index.mjs', 'lib/run.js', 'a.ts', '../up.js', '/abs.js', 'a/../b.js']);
      const config = prng.oneOf(gen, [undefined, {}, { baseUrl: 'http://localhost' }]);
      const message = { manifest: { ...manifest, entry }, ...(config ? { config } : {}) };
      const expected = ExtensionInit.safeParse(message);
      const where = `seed ${SEED}, message ${i}: ${JSON.stringify(message)}`;
      if (expected.success)
        expect(parseInit(message), where).toEqual({
          manifest: { entry: expected.data.manifest.entry },
          config: expected.data.config,
        });
      else expect(() => parseInit(message), where).toThrow(/manifest\.entry/);
    }
  });
});
