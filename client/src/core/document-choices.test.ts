// Tests of the document picker's search by title and of what validation knows of each document.
import { describe, expect, it } from 'vitest';
import { documentTitle, knownDocuments, searchDocuments } from './document-choices.js';

const docs = [
  { id: 'd1', title: 'Project plan' },
  { id: 'd2', title: 'Meeting notes' },
  { id: 'd3', title: 'Plan B' },
  { id: 'd4', title: 'Café menu' },
];

describe('searchDocuments', () => {
  it('lists every document alphabetically for an empty query', () => {
    expect(searchDocuments(docs, '  ').map((d) => d.title)).toEqual([
      'Café menu',
      'Meeting notes',
      'Plan B',
      'Project plan',
    ]);
  });

  it('matches every word anywhere, case- and accent-insensitively, prefix matches first', () => {
    expect(searchDocuments(docs, 'PLAN').map((d) => d.id)).toEqual(['d3', 'd1']);
    expect(searchDocuments(docs, 'plan project').map((d) => d.id)).toEqual(['d1']);
    expect(searchDocuments(docs, 'cafe').map((d) => d.id)).toEqual(['d4']);
    expect(searchDocuments(docs, 'nothing like it')).toEqual([]);
  });

  it('stops at the limit', () => {
    const many = Array.from({ length: 120 }, (_, i) => ({ id: `x${i}`, title: `Doc ${i}` }));
    expect(searchDocuments(many, 'doc')).toHaveLength(50);
    expect(searchDocuments(many, 'doc', 3)).toHaveLength(3);
  });
});

describe('knownDocuments', () => {
  it('lets editors and owners write, viewers only read', () => {
    expect(knownDocuments(docs, 'editor').get('d1')).toEqual({
      title: 'Project plan',
      canRead: true,
      canWrite: true,
    });
    expect(knownDocuments(docs, 'owner').get('d2')?.canWrite).toBe(true);
    expect(knownDocuments(docs, 'viewer').get('d2')).toEqual({
      title: 'Meeting notes',
      canRead: true,
      canWrite: false,
    });
    expect(knownDocuments(docs, 'viewer').has('nope')).toBe(false);
  });

  it('names a document by title', () => {
    expect(documentTitle(docs, 'd3')).toBe('Plan B');
    expect(documentTitle(docs, 'gone')).toBeUndefined();
    expect(documentTitle(docs, '')).toBeUndefined();
  });
});
