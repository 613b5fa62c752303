// Workflow templates: starting points a person instantiates into a new workflow.
import { createEdgeId, createNodeId } from './edits.js';
import type { EdgeId, NodeId, Position, Workflow } from './model.js';
import { NodeLibrary } from './node-library.js';

interface TemplateNode {
  readonly key: string;
  readonly type: string;
  readonly at: Position;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly label?: string;
}

/** A starting point for a new workflow. */
export interface WorkflowTemplate {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly nodes: readonly TemplateNode[];
  /** [from key, from port, to key, to port] */
  readonly edges: readonly (readonly [string, string, string, string])[];
}

const COLUMN = 260;

/** The template library: each instantiates to a workflow that passes validation. */
export const WorkflowTemplates: readonly WorkflowTemplate[] = [
  {
    id: 'summarize-document',
    name: 'Summarize a document',
    description: 'Read a document, summarize it, and append the summary to another document.',
    nodes: [
      { key: 'read', type: 'read-document', at: { x: 0, y: 0 }, params: { documentId: 'source-document' } },
      { key: 'sum', type: 'summarize', at: { x: COLUMN, y: 0 } },
      {
        key: 'write',
        type: 'write-document',
        at: { x: 2 * COLUMN, y: 0 },
        params: { documentId: 'summaries', mode: 'append' },
      },
    ],
    edges: [
      ['read', 'document', 'sum', 'text'],
      ['sum', 'summary', 'write', 'text'],
    ],
  },
  {
    id: 'review-code',
    name: 'Review code',
    description: 'Format a source file, review it for bugs and risks, and write the review to a document.',
    nodes: [
      { key: 'read', type: 'read-code', at: { x: 0, y: 0 }, params: { path: 'src/index.ts' } },
      { key: 'format', type: 'code-format', at: { x: COLUMN, y: 0 } },
      { key: 'review', type: 'review-code', at: { x: 2 * COLUMN, y: 0 }, params: { focus: 'all' } },
      {
        key: 'write',
        type: 'write-document',
        at: { x: 3 * COLUMN, y: 0 },
        params: { documentId: 'code-review', mode: 'replace' },
      },
    ],
    edges: [
      ['read', 'code', 'format', 'code'],
      ['format', 'code', 'review', 'code'],
      ['review', 'review', 'write', 'text'],
    ],
  },
  {
    id: 'generate-tests',
    name: 'Generate tests',
    description: 'Write unit tests for a source file, format them and save them to a document.',
    nodes: [
      { key: 'read', type: 'read-code', at: { x: 0, y: 0 }, params: { path: 'src/index.ts' } },
      { key: 'gen', type: 'generate-tests', at: { x: COLUMN, y: 0 }, params: { framework: 'vitest' } },
      { key: 'format', type: 'code-format', at: { x: 2 * COLUMN, y: 0 } },
      {
        key: 'write',
        type: 'write-document',
        at: { x: 3 * COLUMN, y: 0 },
        params: { documentId: 'generated-tests', mode: 'replace' },
      },
    ],
    edges: [
      ['read', 'code', 'gen', 'code'],
      ['gen', 'tests', 'format', 'code'],
      ['format', 'code', 'write', 'text'],
    ],
  },
  {
    id: 'translate-document',
    name: 'Translate a document',
    description: 'Read a document, translate it, and write the translation to another document.',
    nodes: [
      { key: 'read', type: 'read-document', at: { x: 0, y: 0 }, params: { documentId: 'source-document' } },
      { key: 'tr', type: 'translate', at: { x: COLUMN, y: 0 }, params: { targetLanguage: 'French' } },
      {
        key: 'write',
        type: 'write-document',
        at: { x: 2 * COLUMN, y: 0 },
        params: { documentId: 'translation', mode: 'replace' },
      },
    ],
    edges: [
      ['read', 'document', 'tr', 'text'],
      ['tr', 'text', 'write', 'text'],
    ],
  },
  {
    id: 'fan-out-fan-in',
    name: 'Fan-out / fan-in',
    description: 'Send one document to three AI steps in parallel, then join their answers into one report.',
    nodes: [
      { key: 'read', type: 'read-document', at: { x: 0, y: 160 }, params: { documentId: 'source-document' } },
      { key: 'sum', type: 'summarize', at: { x: COLUMN, y: 0 } },
      {
        key: 'cls',
        type: 'classify',
        at: { x: COLUMN, y: 160 },
        params: { labels: ['bug', 'feature', 'question'] },
      },
      { key: 'tr', type: 'translate', at: { x: COLUMN, y: 320 }, params: { targetLanguage: 'German' } },
      { key: 'join', type: 'join-text', at: { x: 2 * COLUMN, y: 160 } },
      {
        key: 'write',
        type: 'write-document',
        at: { x: 3 * COLUMN, y: 160 },
        params: { documentId: 'report', mode: 'replace' },
      },
    ],
    edges: [
      ['read', 'document', 'sum', 'text'],
      ['read', 'document', 'cls', 'text'],
      ['read', 'document', 'tr', 'text'],
      ['sum', 'summary', 'join', 'parts'],
      ['cls', 'label', 'join', 'parts'],
      ['tr', 'text', 'join', 'parts'],
      ['join', 'text', 'write', 'text'],
    ],
  },
];

/** Builds a new workflow from a template, with fresh node and edge ids. */
export function instantiateTemplate(template: WorkflowTemplate, name: string = template.name): Workflow {
  const ids = new Map<string, NodeId>();
  const workflow: Workflow = { name, nodes: {}, edges: {} };
  for (const node of template.nodes) {
    const spec = NodeLibrary.get(node.type);
    if (!spec) throw new Error(`template "${template.id}" uses unknown node type "${node.type}"`);
    const id = createNodeId();
    ids.set(node.key, id);
    workflow.nodes[id] = {
      type: node.type,
      kind: spec.kind,
      params: structuredClone({ ...spec.defaults, ...node.params }),
      position: { ...node.at },
      ...(node.label ? { label: node.label } : {}),
    };
  }
  for (const [from, fromPort, to, toPort] of template.edges) {
    const edgeId: EdgeId = createEdgeId();
    workflow.edges[edgeId] = {
      from: { node: ids.get(from)!, port: fromPort },
      to: { node: ids.get(to)!, port: toPort },
    };
  }
  return workflow;
}
