// Tests of SharedDocument: updates stored, broadcast and acknowledged; a half-applied update resets the
// others; the size limit; close reasons within 123 bytes.
import { CloseCode, type DocumentId } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { updateWithForwardOrigin } from '../../test/crafted-updates.js';
import { silentLogger } from '../logger.js';
import { MemoryDocumentPersistence } from '../persistence/MemoryDocumentPersistence.js';
import {
  closeReason,
  DocumentTooLargeError,
  type Peer,
  SharedDocument,
  UpdateFailedError,
} from './shared-document.js';

const id = 'doc' as DocumentId;

function peer(): Peer & { sent: Uint8Array[]; closedWith?: number; saved: Uint8Array[] } {
  const p: Peer & { sent: Uint8Array[]; closedWith?: number; saved: Uint8Array[] } = {
    sent: [],
    saved: [],
    send(frame) {
      p.sent.push(frame);
    },
    onSaved(sv) {
      p.saved.push(sv);
    },
    close(code) {
      p.closedWith = code;
    },
  };
  return p;
}

function textOf(updates: Uint8Array[]): string {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc.getText('content').toString();
}

function edit(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('content').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

describe('SharedDocument', () => {
  it('stores, broadcasts to the others, and acknowledges what it stored', async () => {
    const storage = new MemoryDocumentPersistence();
    const doc = new SharedDocument(id, storage, silentLogger, {
      compaction: { updates: 1000, bytes: 1e9 },
      maxPendingBytes: 1e6,
      maxDocumentBytes: 1e9,
    });
    await doc.loaded;
    const [a, b] = [peer(), peer()];
    doc.peers.add(a);
    doc.peers.add(b);
    doc.applyUpdate(edit('hi'), a);
    await doc.flush();
    expect(a.sent).toHaveLength(0);
    expect(b.sent).toHaveLength(1);
    expect(textOf(await storage.load(id))).toBe('hi');
    expect(a.saved.at(-1)).toEqual(Y.encodeStateVector(doc.doc));
  });

  it('an update Yjs throws on half-way is neither broadcast, stored nor compacted; the others reset', async () => {
    const storage = new MemoryDocumentPersistence();
    // Compact after every batch, so a compaction would expose anything left in memory.
    const doc = new SharedDocument(id, storage, silentLogger, {
      compaction: { updates: 1, bytes: 1 },
      maxPendingBytes: 1e6,
      maxDocumentBytes: 1e9,
    });
    await doc.loaded;
    const [attacker, bystander] = [peer(), peer()];
    doc.peers.add(attacker);
    doc.peers.add(bystander);
    doc.applyUpdate(edit('legit'), bystander);
    expect(() => doc.applyUpdate(updateWithForwardOrigin(), attacker)).toThrow(UpdateFailedError);
    doc.applyUpdate(edit('more'), bystander);
    await doc.flush();
    expect(doc.broken).toBe(true);
    expect(bystander.closedWith).toBe(CloseCode.DocumentReset.code);
    expect(attacker.sent).toHaveLength(1); // "legit", before the attack; nothing after
    const stored = textOf(await storage.load(id));
    expect(stored).not.toContain('POISON');
    expect(stored).toBe('legit');
  });

  it('resets instead of holding back updates whose dependencies never come', async () => {
    const storage = new MemoryDocumentPersistence();
    const doc = new SharedDocument(id, storage, silentLogger, {
      compaction: { updates: 1000, bytes: 1e9 },
      maxPendingBytes: 200,
      maxDocumentBytes: 1e9,
    });
    await doc.loaded;
    const attacker = peer();
    doc.peers.add(attacker);
    const source = new Y.Doc();
    const updates: Uint8Array[] = [];
    source.on('update', (u: Uint8Array) => updates.push(u));
    source.getText('content').insert(0, 'first'); // never sent
    for (let i = 0; i < 50; i++) source.getText('content').insert(0, `later ${i} `);
    expect(() => {
      for (const u of updates.slice(1)) doc.applyUpdate(u, attacker);
    }).toThrow(/never came/);
    expect(doc.broken).toBe(true);
  });
});

describe('SharedDocument size limit', () => {
  it('refuses an update that would take the document past its limit before applying or relaying it', async () => {
    const storage = new MemoryDocumentPersistence();
    const doc = new SharedDocument(id, storage, silentLogger, {
      compaction: { updates: 1000, bytes: 1e9 },
      maxPendingBytes: 1e6,
      maxDocumentBytes: 1000,
    });
    await doc.loaded;
    const [author, other] = [peer(), peer()];
    doc.peers.add(author);
    doc.peers.add(other);
    doc.applyUpdate(edit('a'.repeat(400)), author);
    expect(() => doc.applyUpdate(edit('b'.repeat(700)), author)).toThrow(DocumentTooLargeError);
    await doc.flush();
    expect(other.sent).toHaveLength(1);
    expect(doc.broken).toBe(false);
    expect(textOf(await storage.load(id))).toBe('a'.repeat(400));
    // Still open for edits that fit.
    doc.applyUpdate(edit('c'.repeat(100)), other);
    await doc.flush();
    expect(author.sent).toHaveLength(1);
  });

  it('measures the real size once compaction has made the stored updates smaller than counted', async () => {
    const storage = new MemoryDocumentPersistence();
    const doc = new SharedDocument(id, storage, silentLogger, {
      compaction: { updates: 1e6, bytes: 1e9 },
      maxPendingBytes: 1e6,
      maxDocumentBytes: 2000,
    });
    await doc.loaded;
    const author = peer();
    doc.peers.add(author);
    const text = doc.doc.getText('content');
    // Many small edits that are deleted again: their updates add up, the document stays small.
    const source = new Y.Doc();
    source.on('update', (u: Uint8Array) => doc.applyUpdate(u, author));
    for (let i = 0; i < 40; i++) {
      source.getText('content').insert(0, 'x'.repeat(40));
      source.getText('content').delete(0, 40);
    }
    expect(text.length).toBe(0);
    await doc.flush();
    expect(() => doc.applyUpdate(edit('y'.repeat(500)), author)).not.toThrow();
    await doc.flush();
    // Compacted: what is stored is the document again, well under the limit.
    expect((await storage.load(id)).reduce((n, u) => n + u.byteLength, 0)).toBeLessThan(1000);
  });
});

describe('closeReason', () => {
  it('keeps a close reason within the 123 bytes a websocket close frame allows, on a character boundary', () => {
    expect(closeReason('document_too_large')).toBe('document_too_large');
    const long = closeReason('é'.repeat(100));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(123);
    expect(long).toBe('é'.repeat(61));
  });
});
