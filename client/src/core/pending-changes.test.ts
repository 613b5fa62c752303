// Tests of the unsaved-change count (PendingChanges): local transactions counted until the server's
// savedState covers them, kept across a reload, malformed or undeliverable markers dropped.
import { describe, expect, it } from 'vitest';
import { describeUnsaved, describeUnsent, PendingChanges } from './pending-changes.js';

describe('describeUnsaved', () => {
  it('counts documents, not edit steps; the document list is named, not counted', () => {
    expect(describeUnsaved({ documents: 0, list: false })).toBeNull();
    expect(describeUnsaved({ documents: 1, list: false })).toBe('Unsaved changes in 1 document');
    expect(describeUnsaved({ documents: 2, list: true })).toBe('Unsaved changes in 2 documents');
    expect(describeUnsaved({ documents: 0, list: true })).toBe('Unsaved changes to the document list');
  });

  it('says what has not reached the server before a sign-out, documents and workspace changes apart', () => {
    const none = { documents: 0, list: false };
    expect(describeUnsent(none, 0)).toBeNull();
    expect(describeUnsent({ documents: 1, list: true }, 0)).toBe(
      'Changes in 1 document have not reached the server yet.',
    );
    expect(describeUnsent({ documents: 0, list: true }, 0)).toBe(
      'Changes to the document list have not reached the server yet.',
    );
    expect(describeUnsent(none, 1)).toBe('1 workspace change has not reached the server yet.');
    expect(describeUnsent({ documents: 2, list: false }, 3)).toBe(
      'Changes in 2 documents and 3 workspace changes have not reached the server yet.',
    );
  });
});

describe('PendingChanges', () => {
  it('counts local transactions until the server reports their clocks as stored', () => {
    const pending = new PendingChanges();
    pending.record(7, 3);
    pending.record(7, 5);
    pending.record(7, 9);
    expect(pending.count).toBe(3);
    expect(pending.acknowledge(new Map([[7, 5]]))).toBe(true);
    expect(pending.count).toBe(1);
    expect(pending.acknowledge(new Map([[7, 9]]))).toBe(true);
    expect(pending.count).toBe(0);
  });

  it('ignores reports about other clients and reports that move nothing', () => {
    const pending = new PendingChanges();
    pending.record(1, 4);
    expect(pending.acknowledge(new Map([[2, 100]]))).toBe(false);
    expect(pending.acknowledge(new Map([[1, 3]]))).toBe(false);
    expect(pending.count).toBe(1);
  });

  it('does not count a change the server already reported as stored', () => {
    const pending = new PendingChanges();
    pending.acknowledge(new Map([[1, 10]]));
    expect(pending.record(1, 8)).toBe(false);
    expect(pending.count).toBe(0);
  });

  it('ties a delete-only transaction to the latest insertion of its client', () => {
    const pending = new PendingChanges();
    pending.record(1, 5);
    pending.record(1, 5); // a deletion: the clock did not move
    expect(pending.count).toBe(2);
    pending.acknowledge(new Map([[1, 5]]));
    expect(pending.count).toBe(0);
    expect(pending.record(3, 0)).toBe(false);
  });

  it('survives a reload through per-client serialisation', () => {
    const before = new PendingChanges();
    before.record(11, 2);
    before.record(11, 6);
    before.record(12, 1);
    const after = new PendingChanges();
    for (const client of before.clients()) after.restoreClient(client, before.serializeClient(client));
    expect(after.count).toBe(3);
    after.acknowledge(new Map([[11, 6]]));
    expect(after.clients()).toEqual([12]);
    expect(after.serializeClient(11)).toBeNull();
  });

  it('skips malformed stored markers instead of throwing', () => {
    const pending = new PendingChanges();
    pending.restoreClient(1, 'not json');
    pending.restoreClient(2, '{"a":1}');
    pending.restoreClient(3, '[1, -2, "x", 2.5, 4]');
    expect(pending.count).toBe(2);
  });

  it('drops markers the local document can no longer deliver', () => {
    const pending = new PendingChanges();
    pending.record(1, 3);
    pending.record(1, 8);
    pending.record(2, 4);
    expect(pending.discardUnreachable(new Map([[1, 5]]))).toBe(true);
    expect(pending.count).toBe(1);
    expect(pending.clients()).toEqual([1]);
  });
});
