// The acceptance suite every DocumentPersistence adapter runs (runDocumentPersistenceTests): order,
// reopen, Documents kept apart, compaction, concurrent appends.
import type { DocumentId } from '@symphony/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocumentPersistence } from './DocumentPersistence.js';

/** A persistence under test, and how to get a fresh instance over the same storage ("restart"). */
export interface PersistenceFixture {
  persistence: DocumentPersistence;
  reopen(): Promise<DocumentPersistence>;
  cleanup(): Promise<void>;
}

const id = (s: string) => s as DocumentId;

/**
 * The behaviour every {@link DocumentPersistence} adapter promises; each adapter's test file
 * calls this with a factory.
 */
export function runDocumentPersistenceTests(
  name: string,
  makeFixture: () => Promise<PersistenceFixture>,
): void {
  describe(`DocumentPersistence: ${name}`, () => {
    let fixture: PersistenceFixture;
    beforeEach(async () => {
      fixture = await makeFixture();
    });
    afterEach(async () => {
      await fixture.persistence.close();
      await fixture.cleanup();
    });

    it('loads an unknown document as empty', async () => {
      expect(await fixture.persistence.load(id('nothing-here'))).toEqual([]);
    });

    it('returns what was appended, in order, after a reopen', async () => {
      const updates = edits(['a', 'b', 'c']);
      await fixture.persistence.append(id('doc'), updates.slice(0, 2));
      await fixture.persistence.append(id('doc'), updates.slice(2));
      await fixture.persistence.close();
      const reopened = await fixture.reopen();
      fixture.persistence = reopened;
      const loaded = await reopened.load(id('doc'));
      expect(loaded.map((u) => [...u])).toEqual(updates.map((u) => [...u]));
      expect(textOf(loaded)).toBe('abc');
    });

    it('keeps documents apart', async () => {
      await fixture.persistence.append(id('one'), edits(['one']));
      await fixture.persistence.append(id('two'), edits(['two']));
      expect(textOf(await fixture.persistence.load(id('one')))).toBe('one');
      expect(textOf(await fixture.persistence.load(id('two')))).toBe('two');
      expect((await fixture.persistence.list()).sort()).toEqual(['one', 'two']);
    });

    it('compacts to one state and keeps appending after it', async () => {
      const doc = new Y.Doc();
      const updates: Uint8Array[] = [];
      doc.on('update', (u: Uint8Array) => updates.push(u));
      doc.getText('t').insert(0, 'hello');
      await fixture.persistence.append(id('doc'), updates.splice(0));
      await fixture.persistence.compact(id('doc'), Y.encodeStateAsUpdate(doc));
      doc.getText('t').insert(5, ' world');
      await fixture.persistence.append(id('doc'), updates.splice(0));
      await fixture.persistence.close();
      fixture.persistence = await fixture.reopen();
      const loaded = await fixture.persistence.load(id('doc'));
      expect(loaded.length).toBe(2);
      expect(textOf(loaded)).toBe('hello world');
    });

    it('runs concurrent appends to one document in call order', async () => {
      const updates = edits(Array.from({ length: 50 }, (_, i) => String(i % 10)));
      await Promise.all(updates.map((u) => fixture.persistence.append(id('doc'), [u])));
      const loaded = await fixture.persistence.load(id('doc'));
      expect(loaded.map((u) => [...u])).toEqual(updates.map((u) => [...u]));
    });
  });
}

function textOf(updates: Uint8Array[]): string {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc.getText('t').toString();
}

function edits(texts: string[]): Uint8Array[] {
  const doc = new Y.Doc();
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  for (const t of texts) doc.getText('t').insert(doc.getText('t').length, t);
  return out;
}
