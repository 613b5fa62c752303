// Tests of checkWorkflowDocument: which document shapes may be stored as workflows.
import * as Automerge from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { checkWorkflowDocument } from './check.js';

const node = (type: string, params: Record<string, unknown> = {}) => ({
  type,
  kind: 'instrument',
  params,
  position: { x: 0, y: 0 },
});

describe('checkWorkflowDocument', () => {
  it('accepts an empty workflow and a fresh node whose required parameter is still empty', () => {
    expect(checkWorkflowDocument({ name: 'w', nodes: {}, edges: {} })).toEqual({ ok: true });
    const fresh = {
      name: 'w',
      nodes: { n1: node('llm-prompt', { prompt: '', temperature: 'abc' }) },
      edges: {},
    };
    expect(checkWorkflowDocument(fresh)).toEqual({ ok: true });
  });

  it('accepts a live Automerge document (proxies) as well as plain data', () => {
    const doc = Automerge.from({
      name: 'w',
      nodes: { n1: node('llm-prompt', { labels: ['a', { b: 1 }] }) },
      edges: {},
    });
    expect(checkWorkflowDocument(doc)).toEqual({ ok: true });
  });

  it('refuses a document outside the Workflow schema, with paths', () => {
    const result = checkWorkflowDocument({ name: '', nodes: { 'bad id!': node('llm-prompt') } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.issues.map((i) => i.path);
    expect(paths).toContain('name');
    expect(paths).toContain('edges');
    expect(checkWorkflowDocument(null).ok).toBe(false);
    expect(checkWorkflowDocument('workflow').ok).toBe(false);
  });

  it('refuses an unknown node type and parameters that are not plain JSON', () => {
    let doc = Automerge.from({
      name: 'w',
      nodes: { n1: node('teleport'), n2: node('llm-prompt') },
      edges: {},
    });
    doc = Automerge.change(doc, (d) => {
      d.nodes.n2!.params.count = new Automerge.Counter(1);
    });
    const result = checkWorkflowDocument(doc);
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: 'nodes.n1.type', message: 'unknown node type "teleport"' },
        { path: 'nodes.n2.params.count', message: expect.stringContaining('plain JSON') },
      ],
    });
    const nested = { name: 'w', nodes: { n1: node('llm-prompt', { a: [1, { b: Number.NaN }] }) }, edges: {} };
    expect(checkWorkflowDocument(nested)).toMatchObject({
      ok: false,
      issues: [{ path: 'nodes.n1.params.a.1.b' }],
    });
  });

  it('bounds the issues it reports', () => {
    const nodes = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`n${i}`, node('nope')]));
    const result = checkWorkflowDocument({ name: 'w', nodes, edges: {} });
    expect(result.ok ? 0 : result.issues.length).toBe(50);
  });
});
