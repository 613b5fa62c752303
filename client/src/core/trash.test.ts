// Tests of the trash's rows and of restoreToIndex: the entry is back in the list it left, and the
// index watcher does not take it for a new document.
import { TRASH_RETENTION_DAYS } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DocumentIndex } from './document-index.js';
import { type IndexMutation, watchIndexMutations } from './index-mutations.js';
import { restoreToIndex, type TrashItem, trashRows } from './trash.js';
import { WorkflowIndex } from './workflow-index.js';

const now = new Date('2026-03-10T12:00:00Z');
const DAY = 86_400_000;

function item(id: string, deletedDaysAgo: number, kind: 'document' | 'workflow' = 'document'): TrashItem {
  const deletedAt = new Date(now.getTime() - deletedDaysAgo * DAY);
  return {
    id,
    workspaceId: 'ws',
    kind,
    title: `Title ${id}`,
    sizeBytes: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    deletedAt: deletedAt.toISOString(),
    deletedBy: 'u1',
    deletedByName: 'alice',
    purgeAt: new Date(deletedAt.getTime() + TRASH_RETENTION_DAYS * DAY).toISOString(),
  };
}

describe('trashRows', () => {
  it('lists the most recently deleted first, with who, when and the days left', () => {
    const rows = trashRows([item('a', 30), item('b', 2), item('c', 0)], now);
    expect(rows.map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(rows[0]).toMatchObject({
      deleted: 'Deleted by alice just now',
      daysLeft: 30,
      daysLeftLabel: '30 days left',
    });
    expect(rows[1]).toMatchObject({ deleted: 'Deleted by alice 2 days ago', daysLeft: 28 });
    expect(rows[2]).toMatchObject({ daysLeft: 0, daysLeftLabel: 'Deleted for good today' });
    expect(trashRows([item('d', 29)], now)[0]!.daysLeftLabel).toBe('1 day left');
    expect(trashRows([item('e', 29.9)], now)[0]!.daysLeftLabel).toBe('1 day left');
    expect(trashRows([item('f', 1.5)], now)[0]!.daysLeftLabel).toBe('29 days left');
  });
});

describe('restoreToIndex', () => {
  it('puts a document back in the document list without registering a create', () => {
    const doc = new Y.Doc();
    const index = new DocumentIndex(
      doc,
      () => now,
      () => 'doc-1',
    );
    const mutations: IndexMutation[] = [];
    watchIndexMutations(doc, (m) => mutations.push(m));
    const created = index.create('Plan');
    index.delete(created.id);
    restoreToIndex(
      doc,
      { id: created.id, kind: 'document', title: 'Plan', createdAt: created.createdAt },
      now,
    );
    expect(index.list()).toEqual([
      { id: 'doc-1', title: 'Plan', createdAt: created.createdAt, updatedAt: now.toISOString() },
    ]);
    expect(mutations.map((m) => m.kind)).toEqual(['create', 'delete']);
    // A later rename is a person's change again.
    index.rename(created.id, 'Plan v2');
    expect(mutations.at(-1)).toMatchObject({ kind: 'rename', id: 'doc-1', title: 'Plan v2' });
  });

  it('puts a workflow back under its automerge URL', () => {
    const doc = new Y.Doc();
    const workflows = new WorkflowIndex(doc, () => now);
    const mutations: IndexMutation[] = [];
    watchIndexMutations(doc, (m) => mutations.push(m));
    restoreToIndex(
      doc,
      {
        id: '2V5dvBkzyrmPNXDgXqsf3WWuGU9q',
        kind: 'workflow',
        title: 'Flow',
        createdAt: '2026-01-01T00:00:00.000Z',
      },
      now,
    );
    expect(workflows.list()).toMatchObject([{ url: 'automerge:2V5dvBkzyrmPNXDgXqsf3WWuGU9q', name: 'Flow' }]);
    expect(mutations).toEqual([]);
  });
});
