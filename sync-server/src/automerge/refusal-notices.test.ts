// Tests of change refusal notices: one per Document and reason per window with a count of those kept back,
// a bounded memory, and refusals the client parses.
import { ChangeRefusalCode, parseChangeRefusal } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import {
  invalidWorkflowRefusal,
  RefusalNotices,
  readOnlyRefusal,
  storageRefusal,
} from './refusal-notices.js';

describe('RefusalNotices', () => {
  it('tells each document and reason once per window, and counts what it kept back', () => {
    let now = 0;
    const notices = new RefusalNotices(30_000, () => now);
    expect(notices.take('doc-a', ChangeRefusalCode.readOnly)).toBe(0);
    expect(notices.take('doc-a', ChangeRefusalCode.readOnly)).toBeUndefined();
    expect(notices.take('doc-a', ChangeRefusalCode.readOnly)).toBeUndefined();
    // Another reason, or another document, is news.
    expect(notices.take('doc-a', ChangeRefusalCode.invalidWorkflow)).toBe(0);
    expect(notices.take('doc-b', ChangeRefusalCode.readOnly)).toBe(0);
    now = 29_999;
    expect(notices.take('doc-a', ChangeRefusalCode.readOnly)).toBeUndefined();
    now = 30_000;
    expect(notices.take('doc-a', ChangeRefusalCode.readOnly)).toBe(3);
    expect(notices.take('doc-a', ChangeRefusalCode.readOnly)).toBeUndefined();
  });

  it('remembers a bounded number of pairs', () => {
    const notices = new RefusalNotices(30_000, () => 0);
    for (let i = 0; i < 1000; i++) notices.take(`doc-${i}`, ChangeRefusalCode.readOnly);
    // The oldest were forgotten, so they are told again rather than kept forever.
    expect(notices.take('doc-0', ChangeRefusalCode.readOnly)).toBe(0);
    expect(notices.take('doc-999', ChangeRefusalCode.readOnly)).toBeUndefined();
  });
});

describe('refusals', () => {
  it('are messages the client parses, with the detail bounded', () => {
    const wire = (refusal: object) => ({ type: 'error', senderId: 's', targetId: 't', ...refusal });
    expect(parseChangeRefusal(wire(readOnlyRefusal('doc-a', 'viewer')))).toMatchObject({
      code: 'read_only',
      documentId: 'doc-a',
      detail: 'viewer',
    });
    const long = invalidWorkflowRefusal('doc-a', `nodes.x.type: ${'y'.repeat(5000)}`);
    expect(long.detail!.length).toBeLessThanOrEqual(200);
    expect(parseChangeRefusal(wire(long))?.code).toBe('invalid_workflow');
    expect(parseChangeRefusal(wire(storageRefusal('doc-a', 'document_too_large')))).toMatchObject({
      code: 'storage_refused',
      detail: 'document_too_large',
    });
    expect(parseChangeRefusal(wire(storageRefusal('doc-a', undefined)))?.code).toBe('storage_failed');
  });
});
