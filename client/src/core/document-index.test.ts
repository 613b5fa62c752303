// Tests of the Workspace's Document list: title validation, create/rename/touch/delete, merges across
// replicas, plain-object entries, remote changes observed, and title search.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  DocumentIndex,
  DocumentNotFoundError,
  InvalidTitleError,
  searchDocuments,
  validateTitle,
} from './document-index.js';

function fixture(start = Date.parse('2025-01-01T00:00:00Z')) {
  let time = start;
  let n = 0;
  const doc = new Y.Doc();
  const index = new DocumentIndex(
    doc,
    () => new Date(time),
    () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  );
  return { doc, index, advance: (ms: number) => (time += ms) };
}

describe('validateTitle', () => {
  it('trims, and explains what is wrong in a sentence', () => {
    expect(validateTitle('  Plan  ')).toBe('Plan');
    expect(() => validateTitle('   ')).toThrow(new InvalidTitleError('Title must not be empty'));
    expect(() => validateTitle('x'.repeat(201))).toThrow('Title must be at most 200 characters');
  });
});

describe('DocumentIndex', () => {
  it('creates, renames, touches and deletes entries, newest first', () => {
    const { index, advance } = fixture();
    const a = index.create('Alpha');
    advance(1000);
    const b = index.create('Beta');
    expect(index.list().map((d) => d.title)).toEqual(['Beta', 'Alpha']);
    advance(1000);
    index.rename(a.id, 'Alpha two');
    expect(index.list().map((d) => d.title)).toEqual(['Alpha two', 'Beta']);
    advance(1000);
    index.touch(b.id);
    expect(index.list()[0]?.id).toBe(b.id);
    expect(index.get(b.id)?.createdAt).toBe('2025-01-01T00:00:01.000Z');
    expect(index.delete(a.id)).toBe(true);
    expect(index.delete(a.id)).toBe(false);
    expect(index.list()).toHaveLength(1);
  });

  it('rejects bad titles and unknown documents', () => {
    const { index } = fixture();
    expect(() => index.create('')).toThrow(InvalidTitleError);
    const a = index.create('A');
    expect(() => index.rename(a.id, ' ')).toThrow(InvalidTitleError);
    index.delete(a.id);
    expect(() => index.rename(a.id, 'B')).toThrow(DocumentNotFoundError);
  });

  it('keeps a rename and a concurrent edit timestamp from two replicas', () => {
    const one = fixture();
    const created = one.index.create('Draft');
    const two = fixture(Date.parse('2025-06-01T00:00:00Z'));
    Y.applyUpdate(two.doc, Y.encodeStateAsUpdate(one.doc));
    one.index.rename(created.id, 'Final');
    two.index.touch(created.id);
    Y.applyUpdate(one.doc, Y.encodeStateAsUpdate(two.doc));
    Y.applyUpdate(two.doc, Y.encodeStateAsUpdate(one.doc));
    for (const { index } of [one, two]) {
      expect(index.get(created.id)?.title).toBe('Final');
    }
    expect(one.index.list()).toEqual(two.index.list());
  });

  it('reads entries written as plain objects and skips invalid ones', () => {
    const { doc, index } = fixture();
    const map = doc.getMap('documents');
    map.set('plain-1', { title: 'Plain', createdAt: '2025-01-01T00:00:00.000Z' });
    map.set('bad/id', { title: 'Nope', createdAt: '2025-01-01T00:00:00.000Z' });
    map.set('no-title', { createdAt: '2025-01-01T00:00:00.000Z' });
    expect(index.list().map((d) => d.id)).toEqual(['plain-1']);
    index.rename(index.list()[0]!.id, 'Upgraded');
    expect(map.get('plain-1')).toBeInstanceOf(Y.Map);
    expect(index.list()[0]?.title).toBe('Upgraded');
  });

  it('notifies observers of remote changes', () => {
    const one = fixture();
    const two = fixture();
    let calls = 0;
    const stop = two.index.observe(() => calls++);
    one.index.create('Remote');
    Y.applyUpdate(two.doc, Y.encodeStateAsUpdate(one.doc));
    expect(calls).toBe(1);
    stop();
  });
});

describe('searchDocuments', () => {
  const docs = [{ title: 'Roadmap 2025' }, { title: 'Weekly sync notes' }, { title: 'Notes on Rust' }].map(
    (d, i) => ({ ...d, id: `id-${i}`, createdAt: '', updatedAt: '' }),
  ) as unknown as Parameters<typeof searchDocuments>[0];

  it('matches every word, case-insensitively, in order of the input', () => {
    expect(searchDocuments(docs, 'NOTES').map((d) => d.title)).toEqual([
      'Weekly sync notes',
      'Notes on Rust',
    ]);
    expect(searchDocuments(docs, 'notes rust').map((d) => d.title)).toEqual(['Notes on Rust']);
    expect(searchDocuments(docs, '  ')).toHaveLength(3);
    expect(searchDocuments(docs, 'zzz')).toEqual([]);
  });
});
