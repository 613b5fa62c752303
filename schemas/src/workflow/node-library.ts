// The node library: every node type's ports, data types and param schema, and which types may flow into which.
import type { z } from 'zod';
import { NodeKind } from './model.js';
import { DOCUMENT_ID_FORMAT, NodeParams } from './node-params.js';

export { DOCUMENT_ID_FORMAT };

/** The kinds of data that flow along edges. */
export const DataType = {
  text: 'text',
  document: 'document',
  code: 'code',
  json: 'json',
  label: 'label',
  embedding: 'embedding',
  textList: 'text-list',
  any: 'any',
} as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

/** Conversions an edge may make on its own: each of these types can be read as text. */
const READABLE_AS_TEXT: ReadonlySet<DataType> = new Set([
  DataType.document,
  DataType.code,
  DataType.json,
  DataType.label,
]);

/** Whether data of type `from` may flow into an input of type `to`. */
export function canFlow(from: DataType, to: DataType): boolean {
  if (from === to || from === DataType.any || to === DataType.any) return true;
  return to === DataType.text && READABLE_AS_TEXT.has(from);
}

/** A port on a node type. */
export interface PortSpec {
  readonly name: string;
  readonly type: DataType;
  readonly label: string;
  /** Inputs only: the node cannot run unless something is connected here. */
  readonly required?: boolean;
  /** Inputs only: accepts any number of edges (otherwise at most one). */
  readonly multiple?: boolean;
}

/** A node type: what a node of this type does, its ports and its parameters. */
export interface NodeTypeSpec {
  readonly type: string;
  readonly kind: NodeKind;
  readonly title: string;
  readonly description: string;
  /** Library category, for the palette. */
  readonly category: string;
  readonly inputs: readonly PortSpec[];
  readonly outputs: readonly PortSpec[];
  /** Parameters; `.parse({})` must give the defaults of a fresh node (required ones may fail). */
  readonly params: z.ZodObject;
  /** The parameters a new node starts with. */
  readonly defaults: Readonly<Record<string, unknown>>;
  /**
   * Parameters that name a workspace document (by id, schema `format: 'document-id'`), and what the
   * node does with it: validation checks that it exists and that the person may read or write it.
   */
  readonly documentParams?: Readonly<Record<string, DocumentAccess>>;
  /**
   * Set on node types that run in Symphony's own process with their default `local` model
   * ({@link LOCAL_BADGE}): the palette and inspector show it, so nobody mistakes them for an LLM.
   */
  readonly badge?: string;
}

/** What a node does with a document it names: reads it, or writes into it. */
export type DocumentAccess = 'read' | 'write';

/** A short badge the palette and inspector show beside a node type that runs locally, without a model. */
export const LOCAL_BADGE = 'local, non-neural';

const specs: NodeTypeSpec[] = [
  {
    type: 'llm-prompt',
    kind: NodeKind.instrument,
    title: 'LLM prompt',
    category: 'AI',
    description:
      'Sends a prompt, with the connected context, to a language model and outputs its answer. Needs an AI instrument.',
    inputs: [{ name: 'context', type: DataType.text, label: 'Context' }],
    outputs: [{ name: 'text', type: DataType.text, label: 'Answer' }],
    params: NodeParams['llm-prompt'],
    defaults: { model: 'claude-sonnet', prompt: '', temperature: 0.7, maxTokens: 1024, instrument: '' },
  },
  {
    type: 'summarize',
    kind: NodeKind.instrument,
    title: 'Summarize',
    category: 'AI',
    description:
      'Summarizes its input text at the chosen length. The Local model is extractive and non-neural: it picks the ' +
      'most important sentences (wink-nlp); other models need an AI instrument.',
    inputs: [{ name: 'text', type: DataType.text, label: 'Text', required: true }],
    outputs: [{ name: 'summary', type: DataType.text, label: 'Summary' }],
    params: NodeParams.summarize,
    defaults: { model: 'local', length: 'medium', focus: '', instrument: '' },
    badge: LOCAL_BADGE,
  },
  {
    type: 'classify',
    kind: NodeKind.instrument,
    title: 'Classify',
    category: 'AI',
    description:
      'Assigns its input text one of the given labels. The Local model is non-neural: it picks the label whose ' +
      'words (and their synonyms) weigh most in the text by TF-IDF; other models need an AI instrument.',
    inputs: [{ name: 'text', type: DataType.text, label: 'Text', required: true }],
    outputs: [{ name: 'label', type: DataType.label, label: 'Label' }],
    params: NodeParams.classify,
    defaults: { model: 'local', labels: ['positive', 'negative'], instrument: '' },
    badge: LOCAL_BADGE,
  },
  {
    type: 'extract-keywords',
    kind: NodeKind.instrument,
    title: 'Extract keywords',
    category: 'AI',
    description:
      'Lists the key words and phrases of its input text, most important first. The Local model is ' +
      'non-neural: it scores phrases by word frequency and co-occurrence (RAKE); other models need an AI instrument.',
    inputs: [{ name: 'text', type: DataType.text, label: 'Text', required: true }],
    outputs: [{ name: 'keywords', type: DataType.textList, label: 'Keywords' }],
    params: NodeParams['extract-keywords'],
    defaults: { model: 'local', count: 10, instrument: '' },
    badge: LOCAL_BADGE,
  },
  {
    type: 'embed',
    kind: NodeKind.instrument,
    title: 'Embed',
    category: 'AI',
    description:
      'Turns its input text into an embedding vector for search and clustering. The Local model is non-neural: ' +
      'hashed TF-IDF of its words, L2-normalised; other models need an AI instrument.',
    inputs: [{ name: 'text', type: DataType.text, label: 'Text', required: true }],
    outputs: [{ name: 'embedding', type: DataType.embedding, label: 'Embedding' }],
    params: NodeParams.embed,
    defaults: { model: 'local', dimensions: 1536, instrument: '' },
    badge: LOCAL_BADGE,
  },
  {
    type: 'translate',
    kind: NodeKind.instrument,
    title: 'Translate',
    category: 'AI',
    description: 'Translates its input text into the target language. Needs an AI instrument.',
    inputs: [{ name: 'text', type: DataType.text, label: 'Text', required: true }],
    outputs: [{ name: 'text', type: DataType.text, label: 'Translation' }],
    params: NodeParams.translate,
    defaults: { model: 'claude-sonnet', targetLanguage: 'French', instrument: '' },
  },
  {
    type: 'review-code',
    kind: NodeKind.instrument,
    title: 'Review code',
    category: 'AI',
    description: 'Reviews source code and reports bugs, risks and style issues. Needs an AI instrument.',
    inputs: [{ name: 'code', type: DataType.code, label: 'Code', required: true }],
    outputs: [{ name: 'review', type: DataType.text, label: 'Review' }],
    params: NodeParams['review-code'],
    defaults: { model: 'claude-sonnet', focus: 'all', instrument: '' },
  },
  {
    type: 'generate-tests',
    kind: NodeKind.instrument,
    title: 'Generate tests',
    category: 'AI',
    description: 'Writes unit tests for the given source code. Needs an AI instrument.',
    inputs: [{ name: 'code', type: DataType.code, label: 'Code', required: true }],
    outputs: [{ name: 'tests', type: DataType.code, label: 'Tests' }],
    params: NodeParams['generate-tests'],
    defaults: { model: 'claude-sonnet', framework: 'vitest', instrument: '' },
  },
  {
    type: 'read-document',
    kind: NodeKind.operator,
    title: 'Read document',
    category: 'Documents',
    description: 'Reads a workspace document.',
    inputs: [],
    outputs: [{ name: 'document', type: DataType.document, label: 'Document' }],
    params: NodeParams['read-document'],
    defaults: { documentId: '' },
    documentParams: { documentId: 'read' },
  },
  {
    type: 'write-document',
    kind: NodeKind.operator,
    title: 'Write document',
    category: 'Documents',
    description: 'Writes its input text into a workspace document.',
    inputs: [{ name: 'text', type: DataType.text, label: 'Text', required: true }],
    outputs: [],
    params: NodeParams['write-document'],
    defaults: { documentId: '', mode: 'append' },
    documentParams: { documentId: 'write' },
  },
  {
    type: 'read-code',
    kind: NodeKind.operator,
    title: 'Read code file',
    category: 'Documents',
    description:
      'Reads a source file, by its path in a folder the run was granted (symphony run --grant DIR), as code.',
    inputs: [],
    outputs: [{ name: 'code', type: DataType.code, label: 'Code' }],
    params: NodeParams['read-code'],
    defaults: { path: '' },
  },
  {
    type: 'split-text',
    kind: NodeKind.operator,
    title: 'Split text',
    category: 'Text',
    description:
      'Splits text into paragraphs, sentences or chunks of a fixed size; a paragraph or sentence longer than the chunk size is cut.',
    inputs: [{ name: 'text', type: DataType.text, label: 'Text', required: true }],
    outputs: [{ name: 'chunks', type: DataType.textList, label: 'Chunks' }],
    params: NodeParams['split-text'],
    defaults: { by: 'paragraph', size: 2000 },
  },
  {
    type: 'join-text',
    kind: NodeKind.operator,
    title: 'Join',
    category: 'Text',
    description:
      'Joins its connected texts, in edge order, then the items of a connected list (keywords, chunks, ' +
      'filtered or mapped items), with a separator. Needs at least one of the two connected.',
    // Neither input is required alone: validation asks for one of the two (validate.ts, ONE_OF_INPUTS).
    inputs: [
      { name: 'parts', type: DataType.text, label: 'Parts', multiple: true },
      { name: 'list', type: DataType.textList, label: 'List' },
    ],
    outputs: [{ name: 'text', type: DataType.text, label: 'Text' }],
    params: NodeParams['join-text'],
    defaults: { separator: '\n\n' },
  },
  {
    type: 'filter',
    kind: NodeKind.operator,
    title: 'Filter',
    category: 'Text',
    description:
      'Keeps the items that match a regular expression, or for which an expression is truthy (JavaScript with ' +
      'item and index in scope, run in a sandbox); "Keep non-matching" keeps the others.',
    inputs: [{ name: 'items', type: DataType.textList, label: 'Items', required: true }],
    outputs: [{ name: 'items', type: DataType.textList, label: 'Kept' }],
    params: NodeParams.filter,
    defaults: { pattern: '.', invert: false, expression: '' },
  },
  {
    type: 'map',
    kind: NodeKind.operator,
    title: 'Map',
    category: 'Text',
    description:
      'Rewrites each item through a template, where {{item}} stands for the item, or through an expression ' +
      '(JavaScript with item and index in scope, run in a sandbox) whose value, or its JSON text, is the new item.',
    inputs: [{ name: 'items', type: DataType.textList, label: 'Items', required: true }],
    outputs: [{ name: 'items', type: DataType.textList, label: 'Items' }],
    params: NodeParams.map,
    defaults: { template: '{{item}}', expression: '' },
  },
  {
    type: 'code-format',
    kind: NodeKind.operator,
    title: 'Format code',
    category: 'Code',
    description: 'Formats source code in the chosen language.',
    inputs: [{ name: 'code', type: DataType.code, label: 'Code', required: true }],
    outputs: [{ name: 'code', type: DataType.code, label: 'Formatted' }],
    params: NodeParams['code-format'],
    defaults: { language: 'typescript' },
  },
  {
    type: 'validate-json',
    kind: NodeKind.operator,
    title: 'Validate JSON',
    category: 'Code',
    description: 'Parses its input as JSON and checks it against an optional JSON Schema.',
    inputs: [{ name: 'text', type: DataType.text, label: 'Text', required: true }],
    outputs: [{ name: 'json', type: DataType.json, label: 'JSON' }],
    params: NodeParams['validate-json'],
    defaults: { schema: '' },
  },
  {
    type: 'note',
    kind: NodeKind.addon,
    title: 'Note',
    category: 'Board',
    description: 'A sticky note on the board; it does not run.',
    inputs: [],
    outputs: [],
    params: NodeParams.note,
    defaults: { text: '' },
  },
  {
    type: 'group',
    kind: NodeKind.addon,
    title: 'Group',
    category: 'Board',
    description: 'A titled frame that groups nodes visually; it does not run.',
    inputs: [],
    outputs: [],
    params: NodeParams.group,
    defaults: { title: 'Group', width: 480, height: 320 },
  },
];

/** Every node type Symphony knows, by type name. */
export const NodeLibrary: ReadonlyMap<string, NodeTypeSpec> = new Map(specs.map((s) => [s.type, s]));

/** The node type named `type`, or undefined. */
export function nodeType(type: string): NodeTypeSpec | undefined {
  return NodeLibrary.get(type);
}
