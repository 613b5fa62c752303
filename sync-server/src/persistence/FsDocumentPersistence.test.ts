// Runs the DocumentPersistence acceptance suite against FsDocumentPersistence, and checks that a record
// torn by a crash is cut off while every complete one is kept.
import { appendFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DocumentId } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { runDocumentPersistenceTests } from './acceptance.js';
import { FsDocumentPersistence } from './FsDocumentPersistence.js';

runDocumentPersistenceTests('FsDocumentPersistence', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'symphony-fs-'));
  return {
    persistence: new FsDocumentPersistence(dir),
    reopen: async () => new FsDocumentPersistence(dir),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('FsDocumentPersistence after a crash', () => {
  it('drops a torn last record and keeps every complete one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'symphony-fs-'));
    try {
      const doc = new Y.Doc();
      const updates: Uint8Array[] = [];
      doc.on('update', (u: Uint8Array) => updates.push(u));
      doc.getText('t').insert(0, 'kept');
      const persistence = new FsDocumentPersistence(dir);
      const docId = 'doc' as DocumentId;
      await persistence.append(docId, updates);
      // Half a record, as a kill -9 in the middle of a write leaves it.
      await appendFile(join(dir, 'doc.log'), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 9, 9]));
      const reopened = new FsDocumentPersistence(dir);
      const loaded = await reopened.load(docId);
      expect(loaded).toHaveLength(1);
      const restored = new Y.Doc();
      Y.applyUpdate(restored, loaded[0]!);
      expect(restored.getText('t').toString()).toBe('kept');
      // The torn tail is cut off, so later appends are readable again.
      expect((await stat(join(dir, 'doc.log'))).size).toBe(8 + updates[0]!.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
