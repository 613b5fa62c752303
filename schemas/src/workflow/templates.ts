// Workflow templates: starting points a person instantiates into a new workflow.
import { createEdgeId, createNodeId } from './edits.js';
import type { EdgeId, NodeId, Position, Workflow } from './model.js';
import { type DocumentAccess, NodeLibrary } from './node-library.js';

interface TemplateNode {
  readonly key: string;
  readonly type: string;
  readonly at: Position;
  /** Never a document id: a template does not know the workspace's documents (see `asks`). */
  readonly params?: Readonly<Record<string, unknown>>;
  readonly label?: string;
  /** The node's document parameters, each with the question the person answers on instantiation. */
  readonly asks?: Readonly<Record<string, string>>;
}

/** A document a template asks for when it is instantiated. */
export interface TemplateDocumentSlot {
  /** Key of the answer in {@link instantiateTemplate}'s `documents`: `<node key>.<param>`. */
  readonly slot: string;
  /** The question, e.g. "Document to summarize". */
  readonly question: string;
  /** Whether the node reads the document or writes into it. */
  readonly access: DocumentAccess;
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

/**
 * The template library: each instantiates to a workflow that passes validation once its documents
 * ({@link templateDocumentSlots}) are given.
 */
export const WorkflowTemplates: readonly WorkflowTemplate[] = [
  {
    id: 'summarize-document',
    name: 'Summarize a document',
    description: 'Read a document, summarize it, and append the summary to another document.',
    nodes: [
      {
        key: 'read',
        type: 'read-document',
        at: { x: 0, y: 0 },
        asks: { documentId: 'Document to summarize' },
      },
      { key: 'sum', type: 'summarize', at: { x: COLUMN, y: 0 } },
      {
        key: 'write',
        type: 'write-document',
        at: { x: 2 * COLUMN, y: 0 },
        params: { mode: 'append' },
        asks: { documentId: 'Document to append the summary to' },
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
        params: { mode: 'replace' },
        asks: { documentId: 'Document to write the review into' },
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
        params: { mode: 'replace' },
        asks: { documentId: 'Document to save the tests in' },
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
      {
        key: 'read',
        type: 'read-document',
        at: { x: 0, y: 0 },
        asks: { documentId: 'Document to translate' },
      },
      { key: 'tr', type: 'translate', at: { x: COLUMN, y: 0 }, params: { targetLanguage: 'French' } },
      {
        key: 'write',
        type: 'write-document',
        at: { x: 2 * COLUMN, y: 0 },
        params: { mode: 'replace' },
        asks: { documentId: 'Document to write the translation into' },
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
      {
        key: 'read',
        type: 'read-document',
        at: { x: 0, y: 160 },
        asks: { documentId: 'Document to analyse' },
      },
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
        params: { mode: 'replace' },
        asks: { documentId: 'Document to write the report into' },
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

/** The documents `template` asks for, in node order. */
export function templateDocumentSlots(template: WorkflowTemplate): TemplateDocumentSlot[] {
  const slots: TemplateDocumentSlot[] = [];
  for (const node of template.nodes) {
    const spec = NodeLibrary.get(node.type);
    for (const [param, access] of Object.entries(spec?.documentParams ?? {})) {
      const question = node.asks?.[param] ?? `Document for ${node.label ?? spec?.title ?? node.type}`;
      slots.push({ slot: `${node.key}.${param}`, question, access });
    }
  }
  return slots;
}

/**
 * Builds a new workflow from a template, with fresh node and edge ids. `documents` answers its
 * {@link templateDocumentSlots} (slot → document id); a slot left out stays empty, for validation to
 * ask for.
 */
export function instantiateTemplate(
  template: WorkflowTemplate,
  name: string = template.name,
  documents: Readonly<Record<string, string>> = {},
): Workflow {
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
      params: structuredClone({ ...spec.defaults, ...node.params, ...chosenDocuments(node, documents) }),
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

/** The answers in `documents` that belong to `node`'s parameters. */
function chosenDocuments(
  node: TemplateNode,
  documents: Readonly<Record<string, string>>,
): Record<string, string> {
  const chosen: Record<string, string> = {};
  for (const param of Object.keys(NodeLibrary.get(node.type)?.documentParams ?? {})) {
    const id = documents[`${node.key}.${param}`];
    if (id !== undefined && id !== '') chosen[param] = id;
  }
  return chosen;
}
