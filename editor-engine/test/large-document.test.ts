// Tests of the editor engine on large Documents: the line index under random edits and huge pastes, a 10 MB
// Document, and sliced Markdown parses.
import * as prng from 'lib0/prng';
import { describe, expect, it } from 'vitest';
import { LineIndex } from '../src/internal.js';
import { connectInProcess, memoryEngine } from './helpers.js';

/** `rnd(n)` is an integer in [0, n), the same sequence for the same seed. */
function seededRandom(seed: number): (n: number) => number {
  const gen = prng.create(seed);
  return (n) => prng.uint32(gen, 0, n - 1);
}

describe('LineIndex', () => {
  it('matches a rescan after random inserts and deletes across chunk boundaries', () => {
    let text = 'x\n'.repeat(3000);
    const index = new LineIndex(text);
    const rnd = seededRandom(42);
    for (let i = 0; i < 2000; i++) {
      if (rnd(2) === 0) {
        const at = rnd(text.length + 1);
        const ins = ['\n', 'ab', '\n\n\nq', 'z\n'.repeat(rnd(700))][rnd(4)]!;
        text = text.slice(0, at) + ins + text.slice(at);
        index.insert(at, ins);
      } else if (text.length > 0) {
        const at = rnd(text.length);
        const len = Math.min(text.length - at, rnd(3) === 0 ? rnd(3000) : rnd(4));
        text = text.slice(0, at) + text.slice(at + len);
        index.delete(at, len);
      }
    }
    const lines = text.split('\n');
    expect(index.lineCount).toBe(lines.length);
    expect(index.length).toBe(text.length);
    let start = 0;
    for (let line = 0; line < lines.length; line += 97) {
      start = lines.slice(0, line).reduce((s, l) => s + l.length + 1, 0);
      expect(index.lineStart(line)).toBe(start);
      expect(index.locate(start + Math.min(1, lines[line]!.length))).toMatchObject({ line });
    }
    expect(index.locate(text.length).line).toBe(lines.length - 1);
  });
});

describe('LineIndex, a paste of 200,000 lines', () => {
  it('is indexed without overflowing the stack, and deleted again', () => {
    const text = 'first\nsecond\n';
    const index = new LineIndex(text);
    const paste = 'pasted line\n'.repeat(200_000);
    index.insert(6, paste);
    expect(index.lineCount).toBe(200_003);
    expect(index.length).toBe(text.length + paste.length);
    expect(index.lineStart(200_001)).toBe(6 + paste.length);
    expect(index.locate(6 + 12 * 150_000 + 3)).toEqual({
      line: 150_001,
      lineStart: 6 + 12 * 150_000,
      column: 3,
    });
    index.delete(6, paste.length);
    expect(index.lineCount).toBe(3);
    expect(index.lineStart(1)).toBe(6);
  });
});

describe('LineIndex.locator', () => {
  it('locates ascending offsets as locate does, across chunks, empty lines and the last line', () => {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push('y'.repeat((i * 7919) % 13));
    const text = lines.join('\n');
    const index = new LineIndex(text);
    const rnd = seededRandom(7);
    for (let run = 0; run < 20; run++) {
      const locate = index.locator();
      let offset = 0;
      while (offset <= text.length) {
        const expected = index.locate(offset);
        expect(locate(offset)).toEqual({ line: expected.line, lineStart: expected.lineStart });
        offset += rnd(run < 10 ? 3 : 5000);
      }
      expect(locate(text.length).line).toBe(lines.length - 1);
    }
  });
});

describe('a 10 MB document', () => {
  it('opens, edits by line and column, and searches without rescanning per edit', {
    timeout: 60_000,
  }, async () => {
    const line = 'The quick brown fox jumps over the lazy dog, again and again.\n';
    const text = line.repeat(Math.ceil((10 * 1024 * 1024) / line.length));
    const env = memoryEngine();
    env.source.document('big').getText('content').insert(0, text);
    const client = connectInProcess(env.engine);
    let t = performance.now();
    const { bufferId, lineCount } = await client.request('buffer.open', { documentId: 'big' });
    const openMs = performance.now() - t;
    expect(lineCount).toBe(text.split('\n').length);

    t = performance.now();
    const edits = 500;
    for (let i = 0; i < edits; i++) {
      await client.request('buffer.edit', {
        bufferId,
        edits: [{ op: 'insert', at: { line: (i * 331) % lineCount, column: 4 }, text: 'very ' }],
      });
    }
    const perEditMs = (performance.now() - t) / edits;

    t = performance.now();
    const found = await client.request('buffer.find', { bufferId, query: 'very quick', limit: 100_000 });
    const findMs = performance.now() - t;
    expect(found.matches).toHaveLength(edits);
    const last = await client.request('buffer.lines', { bufferId, from: lineCount - 2, to: lineCount });
    expect(last.lines).toEqual([line.slice(0, -1), '']);
    console.log(
      `10 MB: open ${openMs.toFixed(0)} ms, edit ${perEditMs.toFixed(2)} ms each, find ${findMs.toFixed(0)} ms`,
    );
    // Generous bounds for a loaded CI machine; the point is no full rescan per edit.
    expect(perEditMs).toBeLessThan(20);
    client.close();
  });
});

describe('a large Markdown document', () => {
  it('is parsed in slices: another caller is answered while its outline is being built', {
    timeout: 60_000,
  }, async () => {
    let block = '';
    for (let i = 0; i < 50; i++) {
      block += `## Heading ${i}\n\nSome *text* with [a link](https://example.com) and \`code\`.\n- one\n- two\n\n`;
    }
    const text = block.repeat(Math.ceil((2 * 1024 * 1024) / block.length));
    const env = memoryEngine();
    env.source.document('big-md').getText('content').insert(0, text);
    const outliner = env.client();
    const other = env.client();
    const a = await outliner.request('buffer.open', { documentId: 'big-md', language: 'markdown' });
    const b = await other.request('buffer.open', { documentId: 'big-md' });
    const answered: string[] = [];
    const outline = outliner
      .request('buffer.outline', { bufferId: a.bufferId })
      .then((result) => answered.push('outline') && result);
    // Sent after the outline, answered long before it: the parse yields between slices.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await other.request('buffer.edit', {
      bufferId: b.bufferId,
      edits: [{ op: 'insert', at: 0, text: '# Top\n' }],
    });
    answered.push('edit');
    const result = await outline;
    expect(answered).toEqual(['edit', 'outline']);
    // The outline is of the text as it was asked for, and says which revision that was.
    expect(result.revision).toBe(0);
    expect(result.items[0]).toMatchObject({ name: 'Heading 0', from: 0 });
    const after = await outliner.request('buffer.outline', { bufferId: a.bufferId });
    expect(after.revision).toBe(1);
    expect(after.items[0]).toMatchObject({ name: 'Top', from: 0 });
    outliner.close();
    other.close();
  });
});
