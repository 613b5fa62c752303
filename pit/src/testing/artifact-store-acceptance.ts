// The acceptance suite every ArtifactStore adapter runs (runArtifactStoreTests): content addressing,
// metadata, names, lineage, search, integrity on read, the run cache, bad input, and a restart.
import { createHash } from 'node:crypto';
import type { ArtifactHash, ArtifactProvenance, NodeId, RunId } from '@symphony/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactStore, CacheEntry } from '../ArtifactStore.js';
import { ArtifactCorruptError, ArtifactNotFoundError, PitInputError } from '../errors.js';

/** A store under test, how to reopen it over the same storage ("restart"), and how to damage it. */
export interface ArtifactStoreFixture {
  store: ArtifactStore;
  /** A new store over the same storage; the suite closes the old one first. */
  reopen(): Promise<ArtifactStore>;
  /** Flips a byte of the stored blob of `hash`, as a bad disk would. */
  corrupt(hash: ArtifactHash): Promise<void>;
  /** Removes what the fixture made (the suite closes the store first). */
  cleanup(): Promise<void>;
}

const run = (n: number) => `run_acceptance${String(n).padStart(4, '0')}` as RunId;
const provenance = (n: number, nodeId: string, inputs: ArtifactHash[] = []): ArtifactProvenance => ({
  runId: run(n),
  nodeId: nodeId as NodeId,
  port: 'out',
  inputs,
});
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex') as ArtifactHash;
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** `length` bytes that look random, the same on every run (SHA-256 in counter mode over `seed`). */
export function patternBytes(seed: string, length: number): Uint8Array {
  const out = Buffer.allocUnsafe(length);
  for (let pos = 0, counter = 0; pos < length; pos += 32, counter++) {
    createHash('sha256')
      .update(`${seed}:${counter}`)
      .digest()
      .copy(out, pos, 0, Math.min(32, length - pos));
  }
  return out;
}

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<{ bytes: Uint8Array; chunks: number }> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { bytes: Buffer.concat(chunks), chunks: chunks.length };
}

/** A stream whose second chunk is a string, not bytes. */
async function* notBytes(): AsyncGenerator<Uint8Array> {
  yield Buffer.from('fine so far');
  yield 'not bytes' as unknown as Uint8Array;
}

/** Reads `stream` to its end, collecting what it yielded before it threw. */
async function readUntilError(stream: AsyncIterable<Uint8Array>): Promise<{ error: unknown; bytes: number }> {
  let bytes = 0;
  try {
    for await (const chunk of stream) bytes += chunk.length;
  } catch (error) {
    return { error, bytes };
  }
  return { error: undefined, bytes };
}

const absent = 'f'.repeat(64) as ArtifactHash;

/** The fixture of the running test, and a restart of its store. */
interface Suite {
  readonly fixture: ArtifactStoreFixture;
  /** Closes the store and opens a new one over the same storage (it becomes `fixture.store`). */
  reopen(): Promise<ArtifactStore>;
}

/**
 * The behaviour every {@link ArtifactStore} adapter promises; each adapter's test file calls this
 * with a factory for a fresh, empty store.
 */
export function runArtifactStoreTests(name: string, makeFixture: () => Promise<ArtifactStoreFixture>): void {
  describe(`ArtifactStore: ${name}`, () => {
    let current: ArtifactStoreFixture | undefined;
    const suite: Suite = {
      get fixture() {
        if (!current) throw new Error('runArtifactStoreTests: no fixture; makeFixture failed in beforeEach');
        return current;
      },
      async reopen() {
        await suite.fixture.store.close();
        suite.fixture.store = await suite.fixture.reopen();
        return suite.fixture.store;
      },
    };
    beforeEach(async () => {
      current = await makeFixture();
    });
    afterEach(async () => {
      await current?.store.close();
      await current?.cleanup();
      current = undefined;
    });
    contentTests(suite);
    namingTests(suite);
    searchTests(suite);
    integrityTests(suite);
    durabilityTests(suite);
  });
}

/** Content addressing: round trips, identical bytes stored once, metadata, listing. */
function contentTests(suite: Suite): void {
  it('round-trips bytes, text and a stream, addressed by their SHA-256', async () => {
    const { store } = suite.fixture;
    const bytes = patternBytes('bytes', 5000);
    const large = patternBytes('stream', 2_500_000);
    const fromBytes = await store.put(bytes, { mediaType: 'application/octet-stream' });
    const fromText = await store.put('héllo, wörld', { mediaType: 'text/plain; charset=utf-8' });
    const fromStream = await store.put(chunksOf(large, 300_000), { mediaType: 'application/octet-stream' });
    expect(fromBytes.hash).toBe(sha256(bytes));
    expect(fromText.hash).toBe(sha256(Buffer.from('héllo, wörld')));
    expect(fromStream).toMatchObject({ hash: sha256(large), size: large.length });
    expect(Buffer.from(await store.get(fromBytes.hash)).equals(bytes)).toBe(true);
    expect(text(await store.get(fromText.hash))).toBe('héllo, wörld');
    const streamed = await readAll(store.stream(fromStream.hash));
    expect(Buffer.from(streamed.bytes).equals(large)).toBe(true);
    expect(streamed.chunks).toBeGreaterThan(1);
    expect(Buffer.from(await store.get(fromStream.hash)).equals(large)).toBe(true);
    expect(text((await readAll(store.stream(fromText.hash))).bytes)).toBe('héllo, wörld');
    const empty = await store.put(new Uint8Array(0), { mediaType: 'application/octet-stream' });
    expect((await store.get(empty.hash)).length).toBe(0);
    expect((await readAll(store.stream(empty.hash))).bytes.length).toBe(0);
  });

  it('stores identical bytes once; their provenance and tags accumulate', async () => {
    const { store } = suite.fixture;
    const first = await store.put('same', {
      mediaType: 'text/plain',
      tags: ['a'],
      producedBy: provenance(1, 'n1'),
    });
    const again = await store.put(chunksOf(Buffer.from('same'), 2), {
      mediaType: 'text/plain',
      tags: ['b', 'a'],
      producedBy: provenance(2, 'n2'),
    });
    // A retried node storing the same output again is not a second producer.
    await store.put('same', { mediaType: 'text/plain', producedBy: provenance(2, 'n2') });
    expect(again.hash).toBe(first.hash);
    expect(again.created).toBe(first.created);
    expect(again.tags).toEqual(['a', 'b']);
    expect(again.producedBy.map((p) => p.runId)).toEqual([run(1), run(2)]);
    expect(await store.list()).toHaveLength(1);
  });

  it('describes an artifact: size, media type, created, tags and provenance', async () => {
    const { store } = suite.fixture;
    const before = Date.now();
    const input = await store.put('{"a":1}', { mediaType: 'application/json' });
    const made = await store.put('summary text', {
      mediaType: 'text/markdown',
      tags: ['summary', 'weekly'],
      producedBy: provenance(3, 'summarize', [input.hash]),
    });
    const after = Date.now();
    const info = await store.info(made.hash);
    expect(info).toEqual(made);
    expect(info).toMatchObject({
      hash: sha256(Buffer.from('summary text')),
      size: 12,
      mediaType: 'text/markdown',
      tags: ['summary', 'weekly'],
      producedBy: [{ runId: run(3), nodeId: 'summarize', port: 'out', inputs: [input.hash] }],
    });
    expect(info!.created).toBeGreaterThanOrEqual(before);
    expect(info!.created).toBeLessThanOrEqual(after);
    expect(await store.info(absent)).toBeUndefined();
    expect(await store.has(made.hash)).toBe(true);
    expect(await store.has(absent)).toBe(false);
  });

  it('lists newest first, by tag, up to a limit', async () => {
    const { store } = suite.fixture;
    const hashes: ArtifactHash[] = [];
    for (let i = 0; i < 5; i++) {
      hashes.push(
        (await store.put(`item ${i}`, { mediaType: 'text/plain', tags: i % 2 ? ['odd'] : [] })).hash,
      );
    }
    expect((await store.list()).map((a) => a.hash)).toEqual([...hashes].reverse());
    expect((await store.list({ limit: 2 })).map((a) => a.hash)).toEqual([hashes[4], hashes[3]]);
    expect((await store.list({ tag: 'odd' })).map((a) => a.hash)).toEqual([hashes[3], hashes[1]]);
    expect(await store.list({ tag: 'none' })).toEqual([]);
  });
}

/** Names and versions, and lineage. */
function namingTests(suite: Suite): void {
  it('numbers the versions of a name in order', async () => {
    const { store } = suite.fixture;
    const v1 = await store.put('draft one', { mediaType: 'text/plain', name: 'reports/weekly' });
    const v2 = await store.put('draft two', { mediaType: 'text/plain' });
    const named = await store.name('reports/weekly', v2.hash);
    expect(named).toMatchObject({ name: 'reports/weekly', version: 2, hash: v2.hash });
    await store.name('reports/weekly', v1.hash);
    const versions = await store.versions('reports/weekly');
    expect(versions.map((v) => [v.version, v.hash])).toEqual([
      [1, v1.hash],
      [2, v2.hash],
      [3, v1.hash],
    ]);
    expect(versions[0]!.created).toBeLessThanOrEqual(versions[2]!.created);
    expect(await store.versions('never-named')).toEqual([]);
    await expect(store.name('reports/weekly', absent)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    expect(await store.versions('reports/weekly')).toHaveLength(3);
  });

  it('tells every named version an artifact is, by name then version', async () => {
    const { store } = suite.fixture;
    const draft = await store.put('draft', { mediaType: 'text/plain', name: 'reports/weekly' });
    const final = await store.put('final', { mediaType: 'text/plain', name: 'reports/weekly' });
    await store.name('Zeta', draft.hash);
    await store.name('alpha', draft.hash);
    await store.name('reports/weekly', draft.hash);
    const unnamed = await store.put('never named', { mediaType: 'text/plain' });
    const of = async (hash: ArtifactHash) =>
      (await store.versionsOf(hash)).map((v) => [v.name, v.version, v.hash]);
    expect(await of(draft.hash)).toEqual([
      ['Zeta', 1, draft.hash],
      ['alpha', 1, draft.hash],
      ['reports/weekly', 1, draft.hash],
      ['reports/weekly', 3, draft.hash],
    ]);
    expect(await of(final.hash)).toEqual([['reports/weekly', 2, final.hash]]);
    const weekly = await store.versions('reports/weekly');
    expect(await store.versionsOf(final.hash)).toEqual(weekly.filter((v) => v.hash === final.hash));
    expect(await store.versionsOf(unnamed.hash)).toEqual([]);
    expect(await store.versionsOf(absent)).toEqual([]);
    const reopened = await suite.reopen();
    expect((await reopened.versionsOf(draft.hash)).map((v) => v.version)).toEqual([1, 1, 1, 3]);
  });

  it('numbers concurrent versions without gaps or repeats, and stores concurrent identical puts once', async () => {
    const { store } = suite.fixture;
    const puts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        store.put(`v${i % 4}`, {
          mediaType: 'text/plain',
          name: 'busy',
          producedBy: provenance(i, `n${i}`),
        }),
      ),
    );
    const versions = await store.versions('busy');
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(new Set(puts.map((p) => p.hash)).size).toBe(4);
    expect(await store.list()).toHaveLength(4);
    const info = await store.info(puts[0]!.hash);
    expect(info!.producedBy.map((p) => p.nodeId).sort()).toEqual(['n0', 'n4', 'n8']);
  });

  it('follows lineage both ways: what an artifact was made from, and what was made from it', async () => {
    const { store } = suite.fixture;
    const a = await store.put('input a', { mediaType: 'text/plain' });
    const b = await store.put('input b', { mediaType: 'text/plain' });
    const joined = await store.put('a+b', {
      mediaType: 'text/plain',
      producedBy: provenance(1, 'join', [a.hash, b.hash]),
    });
    const summary = await store.put('sum', {
      mediaType: 'text/plain',
      producedBy: provenance(1, 'sum', [joined.hash]),
    });
    const other = await store.put('from a', {
      mediaType: 'text/plain',
      producedBy: provenance(2, 'map', [a.hash]),
    });
    expect(await store.lineage(joined.hash)).toEqual({ inputs: [a.hash, b.hash], outputs: [summary.hash] });
    const ofA = await store.lineage(a.hash);
    expect(ofA.inputs).toEqual([]);
    expect([...ofA.outputs].sort()).toEqual([joined.hash, other.hash].sort());
    expect(await store.lineage(summary.hash)).toEqual({ inputs: [joined.hash], outputs: [] });
    await expect(store.lineage(absent)).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });
}

/** Search over text and metadata. */
function searchTests(suite: Suite): void {
  it('searches text content and metadata, and finds nothing else', async () => {
    const { store } = suite.fixture;
    const poem = await store.put('The quick brown fox jumps over the lazy dog', {
      mediaType: 'text/plain',
    });
    const config = await store.put('{"setting": "zebra"}', { mediaType: 'application/json' });
    const tagged = await store.put(patternBytes('binary', 64), {
      mediaType: 'image/png',
      tags: ['giraffe'],
    });
    const named = await store.put('plain words here', { mediaType: 'text/plain', name: 'reports/pelican' });
    // Bytes that spell a word but are not text: found by their metadata only.
    const binary = await store.put('walrus walrus', {
      mediaType: 'application/octet-stream',
      tags: ['blob'],
    });
    const hits = async (query: string) => (await store.search(query)).map((hit) => hit.hash);
    expect(await hits('fox')).toEqual([poem.hash]);
    expect(await hits('zebra')).toEqual([config.hash]);
    expect(await hits('giraffe')).toEqual([tagged.hash]);
    expect(await hits('pelican')).toEqual([named.hash]);
    expect(await hits('walrus')).toEqual([]);
    expect(await hits('unicorn')).toEqual([]);
    const [hit] = await store.search('pelican');
    expect(hit).toMatchObject({
      hash: named.hash,
      mediaType: 'text/plain',
      size: 16,
      names: ['reports/pelican'],
    });
    expect(hit!.score).toBeGreaterThan(0);
    // The index follows later changes: a new artifact, a new name, a new tag.
    const late = await store.put('a late ocelot', { mediaType: 'text/plain' });
    await store.name('ocelot-notes', binary.hash);
    await store.put('walrus walrus', { mediaType: 'application/octet-stream', tags: ['narwhal'] });
    expect((await hits('ocelot')).sort()).toEqual([late.hash, binary.hash].sort());
    expect(await hits('narwhal')).toEqual([binary.hash]);
    expect(await store.search('fox dog', { limit: 1 })).toHaveLength(1);
  });
}

/** Integrity on read: verify, corrupt blobs, repair, not found. */
function integrityTests(suite: Suite): void {
  it('verify re-hashes every blob and reports the corrupted one', async () => {
    const { store } = suite.fixture;
    const good = await store.put('good bytes', { mediaType: 'text/plain' });
    const bad = await store.put(patternBytes('bad', 3000), { mediaType: 'application/octet-stream' });
    const progress: [number, number][] = [];
    expect(await store.verify((checked, total) => progress.push([checked, total]))).toEqual({
      checked: 2,
      corrupt: [],
    });
    expect(progress.at(-1)).toEqual([2, 2]);
    await suite.fixture.corrupt(bad.hash);
    const report = await store.verify();
    expect(report).toEqual({ checked: 2, corrupt: [{ hash: bad.hash, problem: 'mismatch' }] });
    expect(text(await store.get(good.hash))).toBe('good bytes');
  });

  it('refuses to read a corrupted blob and returns none of its bytes', async () => {
    const { store } = suite.fixture;
    const info = await store.put('precious words', { mediaType: 'text/plain' });
    await suite.fixture.corrupt(info.hash);
    const got = await store.get(info.hash).catch((error: unknown) => error);
    expect(got).toBeInstanceOf(ArtifactCorruptError);
    expect((got as ArtifactCorruptError).hash).toBe(info.hash);
    const streamed = await readUntilError(store.stream(info.hash));
    expect(streamed.error).toBeInstanceOf(ArtifactCorruptError);
    expect(streamed.bytes).toBe(0);
    expect(await store.search('precious')).toEqual([]);
  });

  it('repairs a corrupted blob when the same bytes are put again', async () => {
    const { store } = suite.fixture;
    const info = await store.put('fragile', { mediaType: 'text/plain' });
    await suite.fixture.corrupt(info.hash);
    await store.put('fragile', { mediaType: 'text/plain' });
    expect(text(await store.get(info.hash))).toBe('fragile');
    expect((await store.verify()).corrupt).toEqual([]);
  });

  it('reports an artifact it does not have as not found', async () => {
    const { store } = suite.fixture;
    await expect(store.get(absent)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    const streamed = await readUntilError(store.stream(absent));
    expect(streamed.error).toBeInstanceOf(ArtifactNotFoundError);
    expect(store.cached(absent)).toBeUndefined();
  });
}

/** The run cache, bad input, and a restart. */
function durabilityTests(suite: Suite): void {
  it('remembers cache entries, synchronously readable, across a reopen', async () => {
    const out = await suite.fixture.store.put('cached output', { mediaType: 'text/plain' });
    const key = sha256(Buffer.from('cache key'));
    const entry: CacheEntry = { outputs: { out: out.hash }, runId: run(7), at: 1_700_000_000_000 };
    await suite.fixture.store.remember(key, entry);
    expect(suite.fixture.store.cached(key)).toEqual(entry);
    const newer: CacheEntry = { ...entry, runId: run(8) };
    await suite.fixture.store.remember(key, newer);
    expect(suite.fixture.store.cached(key)).toEqual(newer);
    const reopened = await suite.reopen();
    expect(reopened.cached(key)).toEqual(newer);
    expect(reopened.cached(absent)).toBeUndefined();
  });

  it('refuses invalid arguments with PitInputError and leaves the store untouched', async () => {
    const { store } = suite.fixture;
    const kept = await store.put('kept', { mediaType: 'text/plain', name: 'kept' });
    const bad = 'not-a-hash' as ArtifactHash;
    const refusals: [string, () => unknown][] = [
      ['put: a number', () => store.put(42 as unknown as string, { mediaType: 'text/plain' })],
      ['put: no media type', () => store.put('x', { mediaType: '' })],
      ['put: options missing', () => store.put('x', undefined as unknown as { mediaType: string })],
      ['put: empty tag', () => store.put('x', { mediaType: 'text/plain', tags: [''] })],
      ['put: bad name', () => store.put('x', { mediaType: 'text/plain', name: '../escape' })],
      [
        'put: bad provenance',
        () =>
          store.put('x', {
            mediaType: 'text/plain',
            producedBy: { ...provenance(1, 'n'), runId: 'nope' as RunId },
          }),
      ],
      ['put: a chunk that is not bytes', () => store.put(notBytes(), { mediaType: 'text/plain' })],
      ['get', () => store.get(bad)],
      ['get: uppercase', () => store.get(kept.hash.toUpperCase() as ArtifactHash)],
      ['stream', () => readAll(store.stream(bad))],
      ['info', () => store.info(bad)],
      ['has', () => store.has(bad)],
      ['list: limit 0', () => store.list({ limit: 0 })],
      ['list: unknown option', () => store.list({ colour: 'red' } as { limit?: number })],
      ['name: bad name', () => store.name('has space', kept.hash)],
      ['name: bad hash', () => store.name('fine', bad)],
      ['versions', () => store.versions('')],
      ['versionsOf', () => store.versionsOf(bad)],
      ['lineage', () => store.lineage(bad)],
      ['search: empty', () => store.search('   ')],
      ['search: limit', () => store.search('kept', { limit: -1 })],
      ['verify: not a function', () => store.verify('yes' as unknown as () => void)],
      ['cached', () => store.cached(bad)],
      ['remember: bad key', () => store.remember(bad, { outputs: {}, runId: run(1), at: 0 })],
      [
        'remember: bad entry',
        () => store.remember(kept.hash, { outputs: { out: bad }, runId: run(1), at: 0 }),
      ],
    ];
    for (const [what, call] of refusals) {
      const error = await (async () => call())().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, what).toBeInstanceOf(PitInputError);
    }
    expect((await store.list()).map((a) => a.hash)).toEqual([kept.hash]);
    expect(await store.versions('kept')).toHaveLength(1);
    expect(store.cached(kept.hash)).toBeUndefined();
    const reopened = await suite.reopen();
    expect((await reopened.list()).map((a) => a.hash)).toEqual([kept.hash]);
  });

  it('sees everything after a reopen: bytes, metadata, order, names, lineage and search', async () => {
    const { store } = suite.fixture;
    const input = await store.put('source material', { mediaType: 'text/plain', tags: ['src'] });
    const output = await store.put('distilled kestrel', {
      mediaType: 'text/plain',
      tags: ['out'],
      producedBy: provenance(5, 'distill', [input.hash]),
      name: 'distilled',
    });
    const big = patternBytes('big', 1_500_000);
    const large = await store.put(chunksOf(big, 400_000), { mediaType: 'application/octet-stream' });
    const before = { list: await store.list(), output: await store.info(output.hash) };
    const reopened = await suite.reopen();
    expect(await reopened.list()).toEqual(before.list);
    expect(await reopened.info(output.hash)).toEqual(before.output);
    expect(text(await reopened.get(input.hash))).toBe('source material');
    expect(Buffer.from((await readAll(reopened.stream(large.hash))).bytes).equals(big)).toBe(true);
    expect((await reopened.versions('distilled')).map((v) => v.hash)).toEqual([output.hash]);
    expect(await reopened.lineage(input.hash)).toEqual({ inputs: [], outputs: [output.hash] });
    expect((await reopened.search('kestrel')).map((h) => h.hash)).toEqual([output.hash]);
    expect((await reopened.search('distilled'))[0]).toMatchObject({
      hash: output.hash,
      names: ['distilled'],
    });
    const again = await reopened.name('distilled', input.hash);
    expect(again.version).toBe(2);
    expect(await reopened.verify()).toEqual({ checked: 3, corrupt: [] });
  });
}
