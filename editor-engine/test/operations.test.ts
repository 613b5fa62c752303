// Tests of buffer operations: edits and batches, undo and redo per caller, find and replace, selections,
// revisions and ops, roles, languages and errors.
import { EngineErrorCode } from '@symphony/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import type { EditorEngineClient } from '../src/index.js';
import { applyOps, collectUpdates, connectInProcess, memoryEngine } from './helpers.js';

function errorOf(promise: Promise<unknown>): Promise<{ code: number; message: string; data: unknown }> {
  return promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e: { code: number; message: string; data: unknown }) => e,
  );
}

let clients: EditorEngineClient[] = [];
afterEach(() => {
  for (const c of clients) c.close();
  clients = [];
});

async function setup(initial = '') {
  const env = memoryEngine();
  const upstream = env.source.document('doc');
  if (initial) upstream.getText('content').insert(0, initial);
  const client = env.client();
  clients.push(client);
  const opened = await client.request('buffer.open', { documentId: 'doc' });
  return { ...env, upstream, client, bufferId: opened.bufferId, opened };
}

describe('buffer operations', () => {
  it('opens with the text length, line count, revision and role', async () => {
    const { opened, client } = await setup('one\ntwo\nthree');
    expect(opened).toMatchObject({ revision: 0, length: 13, lineCount: 3, role: 'editor' });
    const hello = await client.request('engine.hello', {});
    expect(hello.methods).toContain('buffer.replaceAll');
    expect(hello.languages.map((l) => l.id)).toContain('markdown');
  });

  it('inserts, deletes and replaces by offset and by line/column, in one atomic batch and one revision', async () => {
    const { client, bufferId, upstream } = await setup('hello\nworld\n');
    const { revision } = await client.request('buffer.edit', {
      bufferId,
      baseRevision: 0,
      edits: [
        { op: 'insert', at: 0, text: '# ' },
        { op: 'replace', from: { line: 1, column: 0 }, to: { line: 1, column: 5 }, text: 'there' },
        { op: 'delete', from: { line: 0, column: 4 }, to: { line: 0, column: 5 } },
        { op: 'insert', at: { line: 2, column: 0 }, text: 'end' },
      ],
    });
    expect(revision).toBe(1);
    const { text } = await client.request('buffer.read', { bufferId });
    expect(text).toBe('# hell\nthere\nend');
    expect(upstream.getText('content').toString()).toBe('# hell\nthere\nend');
    expect(await client.request('buffer.lineCount', { bufferId })).toEqual({
      lineCount: 3,
      length: 16,
      revision: 1,
    });
    expect(await client.request('buffer.lines', { bufferId, from: 1, to: 10 })).toEqual({
      lines: ['there', 'end'],
      from: 1,
      to: 3,
      revision: 1,
    });
    expect(
      await client.request('buffer.read', {
        bufferId,
        range: { from: { line: 1, column: 1 }, to: { line: 2, column: 1 } },
      }),
    ).toMatchObject({ text: 'here\ne', from: 8, to: 14 });
  });

  it('leaves no trace of a batch when one edit fails: out of range, overlapping, stale', async () => {
    const { client, bufferId } = await setup('abc\ndef');
    const updates = collectUpdates(client);
    const outOfRange = await errorOf(
      client.request('buffer.edit', {
        bufferId,
        edits: [
          { op: 'insert', at: 0, text: 'X' },
          { op: 'insert', at: { line: 1, column: 9 }, text: 'Y' },
        ],
      }),
    );
    expect(outOfRange.code).toBe(EngineErrorCode.OutOfRange);
    expect(outOfRange.message).toContain('edits[1].at.column');
    expect(outOfRange.data).toEqual({ what: 'column', path: 'edits[1].at.column', value: 9, min: 0, max: 3 });
    const badLine = await errorOf(
      client.request('buffer.edit', {
        bufferId,
        edits: [{ op: 'delete', from: 0, to: { line: 5, column: 0 } }],
      }),
    );
    expect(badLine.data).toMatchObject({ what: 'line', value: 5, max: 1 });
    const badOffset = await errorOf(
      client.request('buffer.edit', { bufferId, edits: [{ op: 'insert', at: 99, text: 'x' }] }),
    );
    expect(badOffset.data).toMatchObject({ what: 'offset', value: 99, min: 0, max: 7 });
    const overlap = await errorOf(
      client.request('buffer.edit', {
        bufferId,
        edits: [
          { op: 'delete', from: 0, to: 3 },
          { op: 'replace', from: 2, to: 5, text: 'z' },
        ],
      }),
    );
    expect(overlap.code).toBe(EngineErrorCode.OverlappingEdits);
    expect(overlap.data).toEqual({ first: 0, second: 1 });
    await client.request('buffer.edit', { bufferId, edits: [{ op: 'insert', at: 0, text: '>' }] });
    const stale = await errorOf(
      client.request('buffer.edit', {
        bufferId,
        baseRevision: 0,
        edits: [{ op: 'insert', at: 0, text: 'late' }],
      }),
    );
    expect(stale.code).toBe(EngineErrorCode.StaleRevision);
    expect(stale.data).toEqual({ baseRevision: 0, currentRevision: 1 });
    expect((await client.request('buffer.read', { bufferId })).text).toBe('>abc\ndef');
    expect(updates).toHaveLength(1);
  });

  it('inserts at one place land in batch order; positions refer to the text before the batch', async () => {
    const { client, bufferId } = await setup('0123456789');
    await client.request('buffer.edit', {
      bufferId,
      edits: [
        { op: 'insert', at: 5, text: 'a' },
        { op: 'delete', from: 5, to: 7 },
        { op: 'insert', at: 5, text: 'b' },
        { op: 'insert', at: 10, text: '!' },
        { op: 'delete', from: 0, to: 1 },
      ],
    });
    expect((await client.request('buffer.read', { bufferId })).text).toBe('1234ab789!');
  });

  it('undo and redo touch only the caller’s own changes, never another caller’s or a remote one', async () => {
    const { client, bufferId, upstream, engine } = await setup('base');
    const second = connectInProcess(engine);
    clients.push(second);
    const b2 = (await second.request('buffer.open', { documentId: 'doc' })).bufferId;
    expect(b2).toBe(bufferId);
    await client.request('buffer.edit', { bufferId, edits: [{ op: 'insert', at: 4, text: ' mine' }] });
    await second.request('buffer.edit', { bufferId, edits: [{ op: 'insert', at: 0, text: 'theirs ' }] });
    upstream.getText('content').insert(0, 'remote ');
    expect((await client.request('buffer.read', { bufferId })).text).toBe('remote theirs base mine');
    expect(await client.request('buffer.undo', { bufferId })).toMatchObject({ changed: true });
    expect((await client.request('buffer.read', { bufferId })).text).toBe('remote theirs base');
    expect(await client.request('buffer.undo', { bufferId })).toMatchObject({ changed: false });
    expect((await client.request('buffer.read', { bufferId })).text).toBe('remote theirs base');
    expect(await client.request('buffer.redo', { bufferId })).toMatchObject({ changed: true });
    expect((await client.request('buffer.read', { bufferId })).text).toBe('remote theirs base mine');
    await second.request('buffer.undo', { bufferId });
    expect((await client.request('buffer.read', { bufferId })).text).toBe('remote base mine');
    expect(upstream.getText('content').toString()).toBe('remote base mine');
  });

  it('finds literally and by regex, with case and whole-word flags, a range and a limit', async () => {
    const text = 'Foo foo food\nbar FOO_x foo.\n';
    const { client, bufferId } = await setup(text);
    const find = (p: Record<string, unknown>) =>
      client
        .request('buffer.find', { bufferId, query: 'foo', ...p })
        .then((r) => r.matches.map((m) => [m.from, m.line, m.column]));
    expect(await find({})).toEqual([
      [0, 0, 0],
      [4, 0, 4],
      [8, 0, 8],
      [17, 1, 4],
      [23, 1, 10],
    ]);
    expect(await find({ caseSensitive: true })).toEqual([
      [4, 0, 4],
      [8, 0, 8],
      [23, 1, 10],
    ]);
    expect(await find({ wholeWord: true })).toEqual([
      [0, 0, 0],
      [4, 0, 4],
      [23, 1, 10],
    ]);
    // A case-sensitive literal is found with indexOf rather than a RegExp: same answers.
    expect(await find({ caseSensitive: true, wholeWord: true })).toEqual([
      [4, 0, 4],
      [23, 1, 10],
    ]);
    expect(await find({ caseSensitive: true, range: { from: { line: 1, column: 0 }, to: 28 } })).toEqual([
      [23, 1, 10],
    ]);
    expect(await find({ query: 'fo+d?\\b', regex: true, caseSensitive: true })).toEqual([
      [4, 0, 4],
      [8, 0, 8],
      [23, 1, 10],
    ]);
    expect(await find({ range: { from: { line: 1, column: 0 }, to: 28 } })).toEqual([
      [17, 1, 4],
      [23, 1, 10],
    ]);
    const limited = await client.request('buffer.find', { bufferId, query: 'o', limit: 2 });
    expect(limited.matches).toHaveLength(2);
    expect(limited.truncated).toBe(true);
    const bad = await errorOf(client.request('buffer.find', { bufferId, query: '(unclosed', regex: true }));
    expect(bad.code).toBe(EngineErrorCode.InvalidPattern);
    expect(bad.message).toMatch(/not a valid regular expression/);
    // A literal query with regex characters is taken literally.
    expect(
      (await client.request('buffer.find', { bufferId, query: 'foo.' })).matches.map((m) => m.from),
    ).toEqual([23]);
  });

  it('replaces the next match and replaces all in one revision and one undo step, with $-groups', async () => {
    const { client, bufferId } = await setup('a1 b2 a3 a4');
    const one = await client.request('buffer.replace', { bufferId, query: 'a', replacement: 'A', at: 3 });
    expect(one.replaced).toEqual({ from: 6, to: 7 });
    expect((await client.request('buffer.read', { bufferId })).text).toBe('a1 b2 A3 a4');
    const all = await client.request('buffer.replaceAll', {
      bufferId,
      query: '([ab])(\\d)',
      regex: true,
      caseSensitive: true,
      replacement: '$2$1<$&>',
    });
    expect(all).toEqual({ revision: 2, count: 3 });
    expect((await client.request('buffer.read', { bufferId })).text).toBe('1a<a1> 2b<b2> A3 4a<a4>');
    await client.request('buffer.undo', { bufferId });
    expect((await client.request('buffer.read', { bufferId })).text).toBe('a1 b2 A3 a4');
    const none = await client.request('buffer.replace', { bufferId, query: 'zzz', replacement: 'y' });
    expect(none.replaced).toBeNull();
  });

  it('keeps selections on their characters through remote inserts and tells the caller', async () => {
    const { client, bufferId, upstream } = await setup('hello world');
    const moved: number[][] = [];
    client.on('buffer.selections', (s) => moved.push(s.selections.flatMap((x) => [x.anchor, x.head])));
    const set = await client.request('buffer.setSelections', {
      bufferId,
      selections: [
        { anchor: 6, head: 11 },
        { anchor: { line: 0, column: 2 }, head: { line: 0, column: 2 } },
      ],
    });
    expect(set.selections).toEqual([
      { anchor: 6, head: 11 },
      { anchor: 2, head: 2 },
    ]);
    upstream.getText('content').insert(0, '>> ');
    upstream.getText('content').insert(9 + 3, 'big ');
    const now = await client.request('buffer.selections', { bufferId });
    expect(now.selections).toEqual([
      { anchor: 9, head: 18 },
      { anchor: 5, head: 5 },
    ]);
    expect((await client.request('buffer.read', { bufferId, range: { from: 9, to: 18 } })).text).toBe(
      'worbig ld',
    );
    expect(moved.at(-1)).toEqual([9, 18, 5, 5]);
  });

  it('bumps the revision on every change and sends ops that patch a copy to the same text', async () => {
    const { client, bufferId, upstream } = await setup('start\n');
    const updates = collectUpdates(client);
    let copy = (await client.request('buffer.read', { bufferId })).text;
    await client.request('buffer.edit', {
      bufferId,
      edits: [{ op: 'insert', at: 6, text: 'line two\nthree' }],
    });
    upstream.getText('content').delete(0, 2);
    await client.request('buffer.replaceAll', { bufferId, query: 'e', replacement: 'E' });
    await client.request('buffer.undo', { bufferId });
    await client.request('buffer.edit', {
      bufferId,
      edits: [
        { op: 'replace', from: 0, to: 3, text: 'S' },
        { op: 'insert', at: 5, text: 'a' },
        { op: 'insert', at: 5, text: 'b' },
        { op: 'delete', from: 5, to: 9 },
        { op: 'insert', at: { line: 2, column: 0 }, text: '\n' },
      ],
    });
    const final = await client.request('buffer.read', { bufferId });
    expect(updates.map((u) => u.revision)).toEqual([1, 2, 3, 4, 5]);
    expect(updates.map((u) => u.origin)).toEqual(['self', 'remote', 'self', 'self', 'self']);
    for (const u of updates) copy = applyOps(copy, u.ops);
    expect(copy).toBe(final.text);
    expect(final.revision).toBe(5);
  });

  it("sends a caller that opened with updates: 'others' every change but its own", async () => {
    const env = memoryEngine();
    const writer = env.client();
    const view = env.client();
    clients.push(writer, view);
    const w = await writer.request('buffer.open', { documentId: 'doc', updates: 'others' });
    const v = await view.request('buffer.open', { documentId: 'doc' });
    const writerSaw = collectUpdates(writer);
    const viewSaw = collectUpdates(view);
    await writer.request('buffer.edit', {
      bufferId: w.bufferId,
      edits: [{ op: 'insert', at: 0, text: 'ab' }],
    });
    await writer.request('buffer.undo', { bufferId: w.bufferId });
    await view.request('buffer.edit', { bufferId: v.bufferId, edits: [{ op: 'insert', at: 0, text: 'v' }] });
    env.source.document('doc').getText('content').insert(1, 'r');
    const read = await writer.request('buffer.read', { bufferId: w.bufferId });
    expect(read).toMatchObject({ text: 'vr', revision: 4 });
    expect(writerSaw.map((u) => [u.revision, u.origin])).toEqual([
      [3, 'other'],
      [4, 'remote'],
    ]);
    expect(viewSaw.map((u) => [u.revision, u.origin])).toEqual([
      [1, 'other'],
      [2, 'other'],
      [3, 'self'],
      [4, 'remote'],
    ]);
    // Opening again with the default brings its own changes back.
    await writer.request('buffer.open', { documentId: 'doc' });
    await writer.request('buffer.edit', {
      bufferId: w.bufferId,
      edits: [{ op: 'insert', at: 0, text: '!' }],
    });
    await writer.request('buffer.lineCount', { bufferId: w.bufferId });
    expect(writerSaw.at(-1)).toMatchObject({ revision: 5, origin: 'self' });
  });

  it('refuses edits from a viewer with ReadOnly and leaves the document alone', async () => {
    const env = memoryEngine({ role: () => 'viewer' });
    env.source.document('doc').getText('content').insert(0, 'read me');
    const client = env.client();
    clients.push(client);
    const { bufferId, role } = await client.request('buffer.open', { documentId: 'doc' });
    expect(role).toBe('viewer');
    for (const attempt of [
      client.request('buffer.edit', { bufferId, edits: [{ op: 'insert', at: 0, text: 'x' }] }),
      client.request('buffer.replaceAll', { bufferId, query: 'e', replacement: 'E' }),
      client.request('buffer.undo', { bufferId }),
    ]) {
      const e = await errorOf(attempt);
      expect(e.code).toBe(EngineErrorCode.ReadOnly);
      expect(e.data).toEqual({ role: 'viewer' });
    }
    expect(env.source.document('doc').getText('content').toString()).toBe('read me');
    expect((await client.request('buffer.find', { bufferId, query: 'me' })).matches).toHaveLength(1);
  });

  it('answers tokens and an outline through the language plugins', async () => {
    const { client, bufferId } = await setup('# Title\n\nSome *text*.\n\n## Part\n');
    const outline = await client.request('buffer.outline', { bufferId });
    expect(outline.language).toBe('markdown');
    expect(outline.items.map((i) => [i.name, i.depth])).toEqual([
      ['Title', 0],
      ['Part', 1],
    ]);
    const tokens = await client.request('buffer.tokens', { bufferId, range: { from: 0, to: 8 } });
    expect(tokens.tokens.some((t) => t.type === 'heading')).toBe(true);
    const json = await client.request('buffer.outline', { bufferId, language: 'json' });
    expect(json.language).toBe('json');
    const unknown = await client.request('buffer.tokens', { bufferId, language: 'cobol' });
    expect(unknown).toMatchObject({ language: null, tokens: [] });
  });

  it('answers bad params, unknown methods and unknown buffers with specific errors', async () => {
    const { client, bufferId } = await setup('x');
    const unknownMethod = await errorOf(client.request('buffer.explode' as 'buffer.read', { bufferId }));
    expect(unknownMethod.code).toBe(EngineErrorCode.MethodNotFound);
    expect(unknownMethod.message).toContain('buffer.explode');
    const badParams = await errorOf(
      client.request('buffer.edit', { bufferId, edits: [{ op: 'move', at: 0 } as never] }),
    );
    expect(badParams.code).toBe(EngineErrorCode.InvalidParams);
    expect(badParams.message).toContain('edits[0]');
    const unknownBuffer = await errorOf(
      client.request('buffer.read', { bufferId: 'b999' as typeof bufferId }),
    );
    expect(unknownBuffer.code).toBe(EngineErrorCode.UnknownBuffer);
    expect(unknownBuffer.data).toEqual({ bufferId: 'b999' });
    await client.request('buffer.close', { bufferId });
    expect((await errorOf(client.request('buffer.read', { bufferId }))).code).toBe(
      EngineErrorCode.UnknownBuffer,
    );
  });

  it('keeps the buffer identical to the document across many random edits (line index and mirror)', async () => {
    const { client, bufferId, upstream } = await setup('');
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const ytext = upstream.getText('content');
    for (let i = 0; i < 300; i++) {
      const len = ytext.length;
      if (i % 3 === 0) {
        ytext.insert(rnd(len + 1), ['a', '\n', 'xy\nz', '\n\n'][rnd(4)]!);
      } else if (len > 0 && rnd(2) === 0) {
        const from = rnd(len);
        await client.request('buffer.edit', {
          bufferId,
          edits: [{ op: 'delete', from, to: Math.min(len, from + rnd(5)) }],
        });
      } else {
        await client.request('buffer.edit', {
          bufferId,
          edits: [{ op: 'insert', at: rnd(len + 1), text: ['b', '\n', 'q\nr'][rnd(3)]! }],
        });
      }
      if (i % 25 === 0) {
        const text = ytext.toString();
        const lines = text.split('\n');
        expect(await client.request('buffer.lineCount', { bufferId })).toMatchObject({
          lineCount: lines.length,
          length: text.length,
        });
        expect((await client.request('buffer.lines', { bufferId, from: 0, to: lines.length })).lines).toEqual(
          lines,
        );
      }
    }
    expect((await client.request('buffer.read', { bufferId })).text).toBe(ytext.toString());
  });
});
