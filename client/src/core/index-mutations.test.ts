// Tests of watchIndexMutations: this replica's creates, renames and deletes reported, remote ones ignored.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DocumentIndex } from './document-index.js';
import { type IndexMutation, watchIndexMutations } from './index-mutations.js';
import { WorkflowIndex } from './workflow-index.js';

const URL = 'automerge:4NMNnkMhL8jXrdJ9jamS58PAVdXu';

describe('watchIndexMutations', () => {
  it('reports this replica’s creates, renames and deletes of documents and workflows', () => {
    const doc = new Y.Doc();
    const seen: IndexMutation[] = [];
    watchIndexMutations(doc, (m) => seen.push(m));
    const documents = new DocumentIndex(
      doc,
      () => new Date(0),
      () => 'd1',
    );
    const workflows = new WorkflowIndex(doc, () => new Date(0));
    documents.create('Notes');
    documents.rename('d1' as never, 'Notes 2');
    documents.touch('d1' as never);
    documents.delete('d1' as never);
    workflows.add(URL, 'Flow');
    workflows.rename(URL, 'Flow 2');
    workflows.delete(URL);
    expect(seen).toEqual([
      { kind: 'create', resource: 'document', id: 'd1', title: 'Notes' },
      { kind: 'rename', resource: 'document', id: 'd1', title: 'Notes 2' },
      { kind: 'delete', resource: 'document', id: 'd1', title: 'Notes 2' },
      { kind: 'create', resource: 'workflow', id: '4NMNnkMhL8jXrdJ9jamS58PAVdXu', title: 'Flow' },
      { kind: 'rename', resource: 'workflow', id: '4NMNnkMhL8jXrdJ9jamS58PAVdXu', title: 'Flow 2' },
      { kind: 'delete', resource: 'workflow', id: '4NMNnkMhL8jXrdJ9jamS58PAVdXu', title: 'Flow 2' },
    ]);
  });

  it('ignores changes that arrive from another replica', () => {
    const remote = new Y.Doc();
    new DocumentIndex(
      remote,
      () => new Date(0),
      () => 'd1',
    ).create('Theirs');
    const doc = new Y.Doc();
    const seen: IndexMutation[] = [];
    watchIndexMutations(doc, (m) => seen.push(m));
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote));
    expect(seen).toEqual([]);
  });
});
