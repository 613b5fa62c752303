// Workflow templates: starting points a person instantiates into a new workflow.
import { createEdgeId, createNodeId } from './edits.js';
import { type EdgeId, type NodeId, NodeKind, type Position, type Workflow } from './model.js';
import { type DocumentAccess, NodeLibrary } from './node-library.js';
import { isLocalModel } from './node-params.js';

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

/**
 * A starting point for a new workflow. Whether it needs an AI instrument is not declared but
 * derived from its nodes ({@link templateNeedsInstrument}), so it cannot go stale.
 */
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
 * ({@link templateDocumentSlots}) are given. Every template runs offline, on the local instrument
 * and the built-in operators, except those whose purpose is a language model (reviewing code,
 * writing tests, translating): {@link templateNeedsInstrument} tells them apart.
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
    description:
      'Send one document to three local steps in parallel (a summary, its sentences about risks, a category), ' +
      'then join their answers into one report.',
    nodes: [
      {
        key: 'read',
        type: 'read-document',
        at: { x: 0, y: 160 },
        asks: { documentId: 'Document to analyse' },
      },
      { key: 'sum', type: 'summarize', at: { x: COLUMN, y: 0 }, label: 'Summary' },
      {
        key: 'cls',
        type: 'classify',
        at: { x: COLUMN, y: 160 },
        params: { labels: ['bug', 'feature', 'question'] },
        label: 'Category',
      },
      {
        key: 'risks',
        type: 'summarize',
        at: { x: COLUMN, y: 320 },
        params: { length: 'short', focus: 'risk, problem, delay, cost, blocker' },
        label: 'Risks',
      },
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
      ['read', 'document', 'risks', 'text'],
      ['sum', 'summary', 'join', 'parts'],
      ['cls', 'label', 'join', 'parts'],
      ['risks', 'summary', 'join', 'parts'],
      ['join', 'text', 'write', 'text'],
    ],
  },
  {
    id: 'digest-documents',
    name: 'Digest three documents',
    description:
      'Summarize three documents in a few sentences each and append the digest to another document.',
    nodes: [
      {
        key: 'read1',
        type: 'read-document',
        at: { x: 0, y: 0 },
        asks: { documentId: 'First document to digest' },
      },
      {
        key: 'read2',
        type: 'read-document',
        at: { x: 0, y: 160 },
        asks: { documentId: 'Second document to digest' },
      },
      {
        key: 'read3',
        type: 'read-document',
        at: { x: 0, y: 320 },
        asks: { documentId: 'Third document to digest' },
      },
      { key: 'sum1', type: 'summarize', at: { x: COLUMN, y: 0 }, params: { length: 'short' } },
      { key: 'sum2', type: 'summarize', at: { x: COLUMN, y: 160 }, params: { length: 'short' } },
      { key: 'sum3', type: 'summarize', at: { x: COLUMN, y: 320 }, params: { length: 'short' } },
      { key: 'join', type: 'join-text', at: { x: 2 * COLUMN, y: 160 } },
      {
        key: 'write',
        type: 'write-document',
        at: { x: 3 * COLUMN, y: 160 },
        params: { mode: 'append' },
        asks: { documentId: 'Document to append the digest to' },
      },
    ],
    edges: [
      ['read1', 'document', 'sum1', 'text'],
      ['read2', 'document', 'sum2', 'text'],
      ['read3', 'document', 'sum3', 'text'],
      ['sum1', 'summary', 'join', 'parts'],
      ['sum2', 'summary', 'join', 'parts'],
      ['sum3', 'summary', 'join', 'parts'],
      ['join', 'text', 'write', 'text'],
    ],
  },
  {
    id: 'format-code',
    name: 'Format a source file',
    description:
      'Format a source file from a granted folder with Prettier and save the result to a document.',
    nodes: [
      { key: 'read', type: 'read-code', at: { x: 0, y: 0 }, params: { path: 'src/index.ts' } },
      { key: 'format', type: 'code-format', at: { x: COLUMN, y: 0 } },
      {
        key: 'write',
        type: 'write-document',
        at: { x: 2 * COLUMN, y: 0 },
        params: { mode: 'replace' },
        asks: { documentId: 'Document to save the formatted code in' },
      },
    ],
    edges: [
      ['read', 'code', 'format', 'code'],
      ['format', 'code', 'write', 'text'],
    ],
  },
  {
    id: 'extract-keywords',
    name: 'Extract keywords',
    description:
      'Extract up to 15 key words and phrases of a document and append them, comma-separated, to another.',
    nodes: [
      {
        key: 'read',
        type: 'read-document',
        at: { x: 0, y: 0 },
        asks: { documentId: 'Document to extract keywords from' },
      },
      { key: 'kw', type: 'extract-keywords', at: { x: COLUMN, y: 0 }, params: { count: 15 } },
      { key: 'join', type: 'join-text', at: { x: 2 * COLUMN, y: 0 }, params: { separator: ', ' } },
      {
        key: 'write',
        type: 'write-document',
        at: { x: 3 * COLUMN, y: 0 },
        params: { mode: 'append' },
        asks: { documentId: 'Document to append the keywords to' },
      },
    ],
    edges: [
      ['read', 'document', 'kw', 'text'],
      ['kw', 'keywords', 'join', 'list'],
      ['join', 'text', 'write', 'text'],
    ],
  },
  {
    id: 'clean-list',
    name: 'Clean up a list',
    description:
      "Turn a document's paragraphs into a bulleted list, one line each, dropping those with no letter or " +
      'digit (rules, stray bullets), and write it to a document.',
    nodes: [
      {
        key: 'read',
        type: 'read-document',
        at: { x: 0, y: 0 },
        asks: { documentId: 'Document with the list' },
      },
      { key: 'split', type: 'split-text', at: { x: COLUMN, y: 0 }, params: { by: 'paragraph' } },
      {
        key: 'keep',
        type: 'filter',
        at: { x: 2 * COLUMN, y: 0 },
        params: { expression: '/[\\p{L}\\p{N}]/u.test(item)' },
        label: 'Keep items with words',
      },
      {
        key: 'bullet',
        type: 'map',
        at: { x: 3 * COLUMN, y: 0 },
        // One line per item, its own bullet or number (if any) replaced by "- ".
        params: { expression: `"- " + item.replace(/^([-*•]|\\d+[.)])\\s+/, "").replace(/\\s+/g, " ")` },
        label: 'Bullet each item',
      },
      { key: 'join', type: 'join-text', at: { x: 4 * COLUMN, y: 0 }, params: { separator: '\n' } },
      {
        key: 'write',
        type: 'write-document',
        at: { x: 5 * COLUMN, y: 0 },
        params: { mode: 'replace' },
        asks: { documentId: 'Document to write the clean list into' },
      },
    ],
    edges: [
      ['read', 'document', 'split', 'text'],
      ['split', 'chunks', 'keep', 'items'],
      ['keep', 'items', 'bullet', 'items'],
      ['bullet', 'items', 'join', 'list'],
      ['join', 'text', 'write', 'text'],
    ],
  },
];

/**
 * Whether a node of `type` with `params` (missing ones take the type's defaults) needs an AI
 * instrument to run: an instrument node whose model is not the local one. Operators, addons and
 * unknown types never do.
 */
export function nodeNeedsInstrument(type: string, params: Readonly<Record<string, unknown>> = {}): boolean {
  const spec = NodeLibrary.get(type);
  if (spec?.kind !== NodeKind.instrument) return false;
  const model = { ...spec.defaults, ...params }.model;
  return typeof model !== 'string' || !isLocalModel(model);
}

/**
 * Whether a workflow made from `template` needs an AI instrument for some node
 * ({@link nodeNeedsInstrument}); the others run offline, with no network and no model download.
 */
export function templateNeedsInstrument(template: WorkflowTemplate): boolean {
  return template.nodes.some((node) => nodeNeedsInstrument(node.type, node.params));
}

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
