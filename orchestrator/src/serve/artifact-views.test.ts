// The artifact views over a real FsArtifactStore in a temp folder: previews of text, Markdown, JSON,
// code, binary, invalid UTF-8 and more than 1 MiB of text; names and versions; lineage chains with
// runs the caller may and may not read; search filtered by access, with snippets.
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactCorruptError, FsArtifactStore } from '@symphony/pit';
import {
  ArtifactDetailResponse,
  type ArtifactHash,
  ArtifactLineageResponse,
  ArtifactSearchResponse,
  MonitorLimits,
  type NodeId,
  type RunId,
} from '@symphony/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  artifactDetail,
  artifactLineage,
  artifactSearch,
  artifactVersions,
  cutUtf8,
  MAX_LINEAGE_EACH_WAY,
  type ProducerLookup,
  snippetAround,
  ViewRequestError,
} from './artifact-views.js';

let dir: string;
let store: FsArtifactStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'symphony-artifact-views-'));
  store = await FsArtifactStore.open(dir);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const run = (n: number) => `run_views${String(n).padStart(4, '0')}` as RunId;
const made = (n: number, nodeId: string, port = 'out', inputs: ArtifactHash[] = []) => ({
  runId: run(n),
  nodeId: nodeId as NodeId,
  port,
  inputs,
});
const TEXT = 'text/plain; charset=utf-8';

/** The preview of `content` stored as `mediaType`, checked against the contract's schema. */
async function preview(content: string | Uint8Array, mediaType: string, producer?: ProducerLookup) {
  const info = await store.put(content, { mediaType });
  const detail = await artifactDetail(store, info.hash, producer === undefined ? {} : { producer });
  return ArtifactDetailResponse.parse(detail).preview;
}

describe('artifactDetail', () => {
  it('shows plain text as text, with its metadata and no names', async () => {
    const info = await store.put('a plain summary', { mediaType: TEXT, producedBy: made(1, 'sum') });
    const detail = ArtifactDetailResponse.parse(await artifactDetail(store, info.hash));
    expect(detail.info).toEqual(info);
    expect(detail.names).toEqual([]);
    expect(detail.preview).toEqual({ kind: 'text', text: 'a plain summary', truncated: false });
  });

  it('shows Markdown by its media type or a .md name', async () => {
    expect(await preview('# Title\n\nbody', 'text/markdown')).toMatchObject({
      kind: 'markdown',
      text: '# Title\n\nbody',
    });
    const notes = await store.put('- one\n- two', { mediaType: TEXT, name: 'notes.md' });
    expect((await artifactDetail(store, notes.hash))?.preview.kind).toBe('markdown');
  });

  it('pretty-prints JSON with a 2-space indent, by media type or because the text parses', async () => {
    expect(await preview('{"a":1,"b":[true,null]}', 'application/json')).toEqual({
      kind: 'json',
      text: '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}',
      truncated: false,
    });
    expect(await preview('[1,2]', TEXT)).toEqual({ kind: 'json', text: '[\n  1,\n  2\n]', truncated: false });
    expect(await preview('{"x": }', 'application/json')).toEqual({
      kind: 'json',
      text: '{"x": }',
      truncated: false,
    });
    expect(await preview('42', TEXT)).toEqual({ kind: 'text', text: '42', truncated: false });
    expect(await preview('{ not json', TEXT)).toEqual({ kind: 'text', text: '{ not json', truncated: false });
  });

  it('shows JSON that nests too deep to print as it is', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const shown = await preview(deep, 'application/json');
    // JSON.parse takes it; JSON.stringify runs out of stack printing it.
    expect(shown).toEqual({ kind: 'json', text: deep, truncated: false });
  });

  it('highlights code by its media type, its producing node, or its name', async () => {
    expect(await preview('def f():\n  return 1\n', 'text/x-python')).toMatchObject({
      kind: 'code',
      language: 'python',
    });
    expect(await preview('let x = 1', 'application/javascript')).toMatchObject({
      kind: 'code',
      language: 'javascript',
    });
    expect(await preview('let x: number = 1', 'text/x-typescript')).toMatchObject({
      kind: 'code',
      language: 'typescript',
    });

    // A read-code node's output (text/plain on its `code` port): code, the language from its path.
    const source = 'import os\nprint(os.getcwd())\n';
    const read = await store.put(source, { mediaType: TEXT, producedBy: made(1, 'read', 'code') });
    expect((await artifactDetail(store, read.hash))?.preview).toEqual({
      kind: 'code',
      text: source,
      truncated: false,
    });
    const readNode: ProducerLookup = async () => ({ type: 'read-code', params: { path: 'tools/cwd.py' } });
    expect((await artifactDetail(store, read.hash, { producer: readNode }))?.preview).toMatchObject({
      kind: 'code',
      language: 'python',
    });

    // code-format: its language param, its default when unset.
    const formatted = await store.put('const a = 1;\n', {
      mediaType: TEXT,
      producedBy: made(2, 'fmt', 'code'),
    });
    const format =
      (params: Record<string, unknown>): ProducerLookup =>
      async () => ({ type: 'code-format', params });
    expect((await artifactDetail(store, formatted.hash, { producer: format({}) }))?.preview.language).toBe(
      'typescript',
    );
    expect(
      (await artifactDetail(store, formatted.hash, { producer: format({ language: 'css' }) }))?.preview
        .language,
    ).toBe('css');
    const md = await store.put('# Read me', { mediaType: TEXT, producedBy: made(3, 'fmt', 'code') });
    expect(
      (await artifactDetail(store, md.hash, { producer: format({ language: 'markdown' }) }))?.preview.kind,
    ).toBe('markdown');

    // A node the lookup knows whose port is not code stays text, whatever the port is called.
    const said = await store.put('plain words', { mediaType: TEXT, producedBy: made(4, 'x', 'code') });
    const translate: ProducerLookup = async () => ({ type: 'translate', params: {} });
    expect((await artifactDetail(store, said.hash, { producer: translate }))?.preview.kind).toBe('text');

    const named = await store.put('SELECT 1;', { mediaType: TEXT, name: 'queries/one.sql' });
    expect((await artifactDetail(store, named.hash))?.preview).toMatchObject({
      kind: 'code',
      language: 'sql',
    });
  });

  it('shows bytes of a non-text media type, or text that is not UTF-8, as binary without text', async () => {
    expect(await preview(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]), 'image/png')).toEqual({
      kind: 'binary',
      truncated: false,
    });
    expect(await preview('readable but declared binary', 'application/octet-stream')).toEqual({
      kind: 'binary',
      truncated: false,
    });
    expect(await preview(new Uint8Array([0x68, 0x69, 0xff, 0xfe, 0x21]), TEXT)).toEqual({
      kind: 'binary',
      truncated: false,
    });
  });

  it('cuts text longer than the preview limit on a character boundary', async () => {
    const max = MonitorLimits.maxPreviewBytes;
    // "a€" is 4 bytes; after one leading "x" the limit falls after the euro sign's second byte.
    const long = `x${'a€'.repeat(max / 4 + 100)}`;
    const shown = await preview(long, TEXT);
    expect(shown.kind).toBe('text');
    expect(shown.truncated).toBe(true);
    expect(Buffer.byteLength(shown.text!, 'utf8')).toBe(max - 2);
    expect(shown.text!.endsWith('a')).toBe(true);
    expect(long.startsWith(shown.text!)).toBe(true);
    expect(shown.text).not.toContain('\uFFFD');
  });

  it('shows JSON longer than the limit as cut text, and cuts pretty-printing that outgrows it', async () => {
    const big = JSON.stringify({ items: Array.from({ length: 200_000 }, (_, i) => `item ${i}`) });
    const cut = await preview(big, 'application/json');
    expect(cut).toMatchObject({ kind: 'json', truncated: true });
    expect(big.startsWith(cut.text!)).toBe(true);

    const zeros = `[${Array(300_000).fill(0).join(',')}]`; // 600 KB, 1.8 MB pretty
    const grown = await preview(zeros, 'application/json');
    expect(grown).toMatchObject({ kind: 'json', truncated: true });
    expect(Buffer.byteLength(grown.text!, 'utf8')).toBeLessThanOrEqual(MonitorLimits.maxPreviewBytes);
    expect(grown.text!.startsWith('[\n  0,\n  0,')).toBe(true);
  });

  it('lists every named version these bytes are', async () => {
    const draft = await store.put('draft', { mediaType: TEXT, name: 'reports/weekly' });
    await store.put('final', { mediaType: TEXT, name: 'reports/weekly' });
    await store.name('reports/weekly', draft.hash);
    await store.name('archive', draft.hash);
    const detail = await artifactDetail(store, draft.hash);
    expect(detail?.names.map((v) => [v.name, v.version])).toEqual([
      ['archive', 1],
      ['reports/weekly', 1],
      ['reports/weekly', 3],
    ]);
  });

  it('answers undefined for bytes not stored, and refuses a malformed hash', async () => {
    expect(await artifactDetail(store, 'f'.repeat(64) as ArtifactHash)).toBeUndefined();
    const refused = await artifactDetail(store, 'not-a-hash' as ArtifactHash).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ViewRequestError);
    expect((refused as ViewRequestError).issues[0]?.path).toEqual(['hash']);
  });

  it('refuses to show any of a corrupted artifact', async () => {
    const info = await store.put('will rot', { mediaType: TEXT });
    const file = await open(join(dir, 'blobs', info.hash.slice(0, 2), info.hash), 'r+');
    await file.write(Buffer.from('W'), 0, 1, 0);
    await file.close();
    await expect(artifactDetail(store, info.hash)).rejects.toBeInstanceOf(ArtifactCorruptError);
  });
});

describe('cutUtf8', () => {
  it('keeps whole characters within the byte budget', () => {
    expect(cutUtf8('ab€', 4)).toBe('ab');
    expect(cutUtf8('ab€', 5)).toBe('ab€');
    expect(cutUtf8('😀😀', 5)).toBe('😀');
    expect(cutUtf8('short', 100)).toBe('short');
  });
});

describe('artifactVersions', () => {
  it('lists a name’s versions oldest first, none for a name never given', async () => {
    const one = await store.put('one', { mediaType: TEXT, name: 'summary' });
    const two = await store.put('two', { mediaType: TEXT, name: 'summary' });
    const { versions } = await artifactVersions(store, 'summary');
    expect(versions.map((v) => [v.version, v.hash])).toEqual([
      [1, one.hash],
      [2, two.hash],
    ]);
    expect(await artifactVersions(store, 'never-named')).toEqual({ versions: [] });
  });

  it('refuses a name that cannot be one, saying why', async () => {
    for (const bad of ['has space', '', '../escape', 'x'.repeat(201)]) {
      const refused = await artifactVersions(store, bad).catch((e: unknown) => e);
      expect(refused, bad).toBeInstanceOf(ViewRequestError);
      expect((refused as ViewRequestError).message).toMatch(/artifactVersions: name artifact name must be/);
      expect((refused as ViewRequestError).issues[0]?.path).toEqual(['name']);
    }
  });
});

describe('artifactLineage', () => {
  /** Runs 1 and 3 are readable ("Digest", started at 100 and 300); run 2 is not. */
  function lookup() {
    const asked: RunId[] = [];
    const runOf = async (runId: RunId) => {
      asked.push(runId);
      if (runId === run(2)) return undefined;
      return { workflow: 'Digest', startedAt: runId === run(1) ? 100 : 300, secret: 'not in the answer' };
    };
    return { asked, runOf };
  }

  it('draws inputs → self → outputs with the runs that produced and used it', async () => {
    const a = await store.put('input a', { mediaType: TEXT });
    const b = await store.put('{"b":1}', { mediaType: 'application/json' });
    const joined = await store.put('a+b', {
      mediaType: TEXT,
      producedBy: made(1, 'join', 'text', [a.hash, b.hash]),
    });
    const summary = await store.put('sum', {
      mediaType: TEXT,
      producedBy: made(1, 'sum', 'summary', [joined.hash]),
    });
    const { asked, runOf } = lookup();
    const lineage = ArtifactLineageResponse.parse(await artifactLineage(store, joined.hash, runOf));
    expect(lineage.artifacts).toEqual([
      { hash: joined.hash, mediaType: TEXT, size: 3, role: 'self' },
      { hash: a.hash, mediaType: TEXT, size: 7, role: 'input' },
      { hash: b.hash, mediaType: 'application/json', size: 7, role: 'input' },
      { hash: summary.hash, mediaType: TEXT, size: 3, role: 'output' },
    ]);
    expect(lineage.edges).toEqual([
      { from: a.hash, to: joined.hash },
      { from: b.hash, to: joined.hash },
      { from: joined.hash, to: summary.hash },
    ]);
    expect(lineage.runs).toEqual([
      { runId: run(1), nodeId: 'join', relation: 'produced', workflow: 'Digest', startedAt: 100 },
      { runId: run(1), nodeId: 'sum', relation: 'used', workflow: 'Digest', startedAt: 100 },
    ]);
    expect(asked).toEqual([run(1)]);
  });

  it('leaves out runs the caller may not read, and what only they made or used', async () => {
    const a = await store.put('shared input', { mediaType: TEXT });
    const mine = await store.put('mine', { mediaType: TEXT, producedBy: made(1, 'map', 'out', [a.hash]) });
    const theirs = await store.put('theirs', {
      mediaType: TEXT,
      producedBy: made(2, 'map', 'out', [a.hash]),
    });
    // The same bytes made by a readable and an unreadable run: shown, with the readable run only.
    await store.put('shared input', { mediaType: TEXT, producedBy: made(2, 'copy', 'out', [theirs.hash]) });
    await store.put('shared input', { mediaType: TEXT, producedBy: made(3, 'load') });
    const lineage = await artifactLineage(store, a.hash, lookup().runOf);
    expect(lineage?.artifacts.map((x) => [x.role, x.hash])).toEqual([
      ['self', a.hash],
      ['output', mine.hash],
    ]);
    expect(lineage?.edges).toEqual([{ from: a.hash, to: mine.hash }]);
    expect(lineage?.runs.map((r) => [r.relation, r.runId, r.nodeId])).toEqual([
      ['produced', run(3), 'load'],
      ['used', run(1), 'map'],
    ]);
    expect(JSON.stringify(lineage)).not.toContain(theirs.hash);
    expect(JSON.stringify(lineage)).not.toContain('secret');
  });

  it('draws an artifact that is its own input, or both input and output, once and without a loop to itself', async () => {
    const same = await store.put('unchanged', { mediaType: TEXT });
    await store.put('unchanged', { mediaType: TEXT, producedBy: made(1, 'filter', 'items', [same.hash]) });
    const alone = await artifactLineage(store, same.hash, lookup().runOf);
    expect(alone?.artifacts.map((x) => x.role)).toEqual(['self']);
    expect(alone?.edges).toEqual([]);
    expect(alone?.runs.map((r) => r.relation)).toEqual(['produced']);

    const x = await store.put('x', { mediaType: TEXT });
    const y = await store.put('y', { mediaType: TEXT, producedBy: made(1, 'fwd', 'out', [x.hash]) });
    await store.put('x', { mediaType: TEXT, producedBy: made(3, 'back', 'out', [y.hash]) });
    const both = await artifactLineage(store, x.hash, lookup().runOf);
    expect(both?.artifacts.map((a) => [a.role, a.hash])).toEqual([
      ['self', x.hash],
      ['input', y.hash],
    ]);
    expect(both?.edges).toEqual([
      { from: y.hash, to: x.hash },
      { from: x.hash, to: y.hash },
    ]);
  });

  it(`shows at most ${MAX_LINEAGE_EACH_WAY} artifacts each way, asking about each run once`, async () => {
    const inputs = await Promise.all(
      Array.from({ length: 60 }, (_, i) => store.put(`input ${i}`, { mediaType: TEXT })),
    );
    const hub = await store.put('hub', {
      mediaType: TEXT,
      producedBy: made(
        1,
        'join',
        'text',
        inputs.map((i) => i.hash),
      ),
    });
    for (let i = 0; i < 60; i++) {
      await store.put(`output ${i}`, { mediaType: TEXT, producedBy: made(3, `n${i}`, 'out', [hub.hash]) });
    }
    const { asked, runOf } = lookup();
    const lineage = ArtifactLineageResponse.parse(await artifactLineage(store, hub.hash, runOf));
    const roles = lineage.artifacts.map((a) => a.role);
    expect(roles.filter((r) => r === 'input')).toHaveLength(MAX_LINEAGE_EACH_WAY);
    expect(roles.filter((r) => r === 'output')).toHaveLength(MAX_LINEAGE_EACH_WAY);
    expect(lineage.edges).toHaveLength(2 * MAX_LINEAGE_EACH_WAY);
    expect(lineage.runs.filter((r) => r.relation === 'used')).toHaveLength(MAX_LINEAGE_EACH_WAY);
    // The newest outputs first.
    expect(lineage.runs.find((r) => r.relation === 'used')?.nodeId).toBe('n59');
    expect(asked.sort()).toEqual([run(1), run(3)]);
  });

  it('answers undefined for bytes not stored, and refuses a malformed hash', async () => {
    expect(await artifactLineage(store, 'e'.repeat(64) as ArtifactHash, lookup().runOf)).toBeUndefined();
    await expect(
      artifactLineage(store, 'E'.repeat(64) as ArtifactHash, lookup().runOf),
    ).rejects.toBeInstanceOf(ViewRequestError);
  });
});

describe('artifactSearch', () => {
  it('finds text by its words among the artifacts the caller may read, with a snippet around the match', async () => {
    const filler = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(20);
    const far = await store.put(`${filler}The kestrel hovers over the field.\n\n  More   text.`, {
      mediaType: TEXT,
    });
    const near = await store.put('kestrel notes', { mediaType: TEXT, name: 'birds/kestrel' });
    const hidden = await store.put('a private kestrel', { mediaType: TEXT });
    const picture = await store.put(new Uint8Array([1, 2, 3]), {
      mediaType: 'image/png',
      name: 'kestrel-photo',
    });
    const readable = async (hash: ArtifactHash) => hash !== hidden.hash;
    const { hits } = ArtifactSearchResponse.parse(await artifactSearch(store, 'kestrel', readable));
    const byHash = new Map(hits.map((h) => [h.hash, h]));
    expect([...byHash.keys()].sort()).toEqual([far.hash, near.hash, picture.hash].sort());
    expect(byHash.get(near.hash)).toMatchObject({
      names: ['birds/kestrel'],
      snippet: 'kestrel notes',
      size: 13,
    });
    const snippet = byHash.get(far.hash)!.snippet!;
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet).toContain('The kestrel hovers over the field. More text.');
    expect(byHash.get(picture.hash)!.snippet).toBeUndefined();
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  });

  it(`answers at most ${MonitorLimits.maxSearchHits} hits`, async () => {
    for (let i = 0; i < MonitorLimits.maxSearchHits + 15; i++) {
      await store.put(`osprey sighting ${i}`, { mediaType: TEXT });
    }
    const { hits } = await artifactSearch(store, 'osprey', async () => true);
    expect(hits).toHaveLength(MonitorLimits.maxSearchHits);
    // Every other one readable: 32 of the 65, found past the first batch of candidates.
    let asked = 0;
    const { hits: some } = await artifactSearch(store, 'osprey', async () => ++asked % 2 === 0);
    expect(some).toHaveLength(32);
    expect(asked).toBe(MonitorLimits.maxSearchHits + 15);
  });

  it('refuses a query with nothing to search for, or too long', async () => {
    for (const q of ['', '   ', 'x'.repeat(501)]) {
      const refused = await artifactSearch(store, q, async () => true).catch((e: unknown) => e);
      expect(refused, JSON.stringify(q)).toBeInstanceOf(ViewRequestError);
      expect((refused as ViewRequestError).issues[0]?.path).toEqual(['q']);
    }
  });
});

describe('snippetAround', () => {
  it('starts a little before the first match, at a word, collapsing whitespace', () => {
    const text = `${'word '.repeat(100)}needle\tin\n\nthe haystack`;
    const snippet = snippetAround(text, 'Needle');
    expect(snippet.startsWith('…word')).toBe(true);
    expect(snippet).toContain('needle in the haystack');
    expect(snippet.endsWith('…')).toBe(false);
  });

  it('takes the first characters when nothing matches, and marks what follows', () => {
    const text = 'x'.repeat(500);
    expect(snippetAround(text, 'absent')).toBe(`${'x'.repeat(160)}…`);
    expect(snippetAround('short text', '(.*)')).toBe('short text');
  });
});
