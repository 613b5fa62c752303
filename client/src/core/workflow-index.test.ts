// Tests of the Workspace's Workflow list: add, rename, touch, delete, and merges across replicas.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { InvalidWorkflowNameError, WorkflowIndex } from './workflow-index.js';

const URL_A = 'automerge:2j9knpCseyhnK8izDmLpGP5WMdZQ';
const URL_B = 'automerge:3kXyqwpRmLt7cnvkTzJf9Gh2aWb';

describe('WorkflowIndex', () => {
  it('adds, renames, touches and deletes, newest first, beside the documents map', () => {
    let time = Date.parse('2025-01-01T00:00:00Z');
    const doc = new Y.Doc();
    const index = new WorkflowIndex(doc, () => new Date(time));
    index.add(URL_A, 'Alpha');
    time += 1000;
    index.add(URL_B, ' Beta ');
    expect(index.list().map((w) => w.name)).toEqual(['Beta', 'Alpha']);
    time += 1000;
    expect(index.rename(URL_A, 'Alpha two')).toBe(true);
    expect(index.list()[0]).toMatchObject({ url: URL_A, name: 'Alpha two' });
    expect(() => index.rename(URL_A, '  ')).toThrow(InvalidWorkflowNameError);
    expect(() => index.add('not-a-url', 'x')).toThrow(RangeError);
    expect(index.delete(URL_B)).toBe(true);
    expect(index.delete(URL_B)).toBe(false);
    expect(doc.getMap('workflows').size).toBe(1);
    expect(doc.getMap('documents').size).toBe(0);
  });

  it('merges a rename on one replica with a touch on another', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    const ia = new WorkflowIndex(a, () => new Date('2025-01-01T00:00:00Z'));
    ia.add(URL_A, 'Alpha');
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const ib = new WorkflowIndex(b, () => new Date('2025-01-02T00:00:00Z'));
    ia.rename(URL_A, 'Renamed');
    ib.touch(URL_A);
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(ia.get(URL_A)?.name).toBe('Renamed');
    expect(ib.get(URL_A)).toEqual(ia.get(URL_A));
  });
});
