// The node library: every node type's ports, data types and param schema, and which types may flow into which.
import { z } from 'zod';
import { NodeKind } from './model.js';

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
}

/** What a node does with a document it names: reads it, or writes into it. */
export type DocumentAccess = 'read' | 'write';

/** The JSON Schema `format` of a parameter holding a document id: the inspector shows a picker. */
export const DOCUMENT_ID_FORMAT = 'document-id';

const chatModel = z
  .enum(['claude-sonnet', 'claude-haiku', 'gpt-4o', 'gpt-4o-mini', 'local-llama'])
  .default('claude-sonnet')
  .describe('Model');
const embeddingModel = z
  .enum(['text-embedding-3-small', 'text-embedding-3-large', 'local-minilm'])
  .default('text-embedding-3-small')
  .describe('Model');
const nonEmpty = (what: string) => z.string().trim().min(1, `${what} must not be empty`);
/** A document id parameter; `.parse` only checks its shape, validation checks the document. */
const documentRef = (label: string) =>
  nonEmpty(label.toLowerCase()).max(128).meta({ format: DOCUMENT_ID_FORMAT }).describe(label);

function regexValid(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function jsonValid(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const specs: NodeTypeSpec[] = [
  {
    type: 'llm-prompt',
    kind: NodeKind.instrument,
    title: 'LLM prompt',
    category: 'AI',
    description: 'Sends a prompt, with the connected context, to a language model and outputs its answer.',
    inputs: [{ name: 'context', type: DataType.text, label: 'Context' }],
    outputs: [{ name: 'text', type: DataType.text, label: 'Answer' }],
    params: z.object({
      model: chatModel,
      prompt: nonEmpty('prompt').max(20_000).describe('Prompt'),
      temperature: z.number().min(0).max(2).default(0.7).describe('Temperature'),
      maxTokens: z.number().int().min(1).max(32_000).default(1024).describe('Max tokens'),
    }),
    defaults: { model: 'claude-sonnet', prompt: '', temperature: 0.7, maxTokens: 1024 },
  },
  {
    type: 'summarize',
    kind: NodeKind.instrument,
    title: 'Summarize',
    category: 'AI',
    description: 'Summarizes its input text at the chosen length.',
    inputs: [{ name: 'text', type: DataType.text, label: 'Text', required: true }],
    outputs: [{ name: 'summary', type: DataType.text, label: 'Summary' }],
    params: z.object({
      model: chatModel,
      length: z.enum(['short', 'medium', 'long']).default('medium').describe('Length'),
      focus: z.string().max(500).default('').describe('Focus (optional)'),
    }),
    defaults: { model: 'claude-sonnet', length: 'medium', focus: '' },
  },
  {
    type: 'classify',
    kind: NodeKind.instrument,
    title: 'Classify',
    category: 'AI',
    description: 'Assigns its input text one of the given labels.',
    inputs: [{ name: 'text', type: DataType.text, label: 'Text', required: true }],
    outputs: [{ name: 'label', type: DataType.label, label: 'Label' }],
    params: z.object({
      model: chatModel,
      labels: z
        .array(nonEmpty('label').max(100))
        .min(2, 'give at least two labels')
        .max(50)
        .describe('Labels'),
    }),
    defaults: { model: 'claude-haiku', labels: ['positive', 'negative'] },
  },
  {
    type: 'embed',
    kind: NodeKind.instrument,
    title: 'Embed',
    category: 'AI',
    description: 'Turns its input text into an embedding vector for search and clustering.',
    inputs: [{ name: 'text', type: DataType.text, label: 'Text', required: true }],
    outputs: [{ name: 'embedding', type: DataType.embedding, label: 'Embedding' }],
    params: z.object({
      model: embeddingModel,
      dimensions: z.number().int().min(16).max(4096).default(1536).describe('Dimensions'),
    }),
    defaults: { model: 'text-embedding-3-small', dimensions: 1536 },
  },
  {
    type: 'translate',
    kind: NodeKind.instrument,
    title: 'Translate',
    category: 'AI',
    description: 'Translates its input text into the target language.',
    inputs: [{ name: 'text', type: DataType.text, label: 'Text', required: true }],
    outputs: [{ name: 'text', type: DataType.text, label: 'Translation' }],
    params: z.object({
      model: chatModel,
      targetLanguage: nonEmpty('target language').max(40).describe('Target language'),
    }),
    defaults: { model: 'claude-sonnet', targetLanguage: 'French' },
  },
  {
    type: 'review-code',
    kind: NodeKind.instrument,
    title: 'Review code',
    category: 'AI',
    description: 'Reviews source code and reports bugs, risks and style issues.',
    inputs: [{ name: 'code', type: DataType.code, label: 'Code', required: true }],
    outputs: [{ name: 'review', type: DataType.text, label: 'Review' }],
    params: z.object({
      model: chatModel,
      focus: z.enum(['bugs', 'security', 'style', 'all']).default('all').describe('Focus'),
    }),
    defaults: { model: 'claude-sonnet', focus: 'all' },
  },
  {
    type: 'generate-tests',
    kind: NodeKind.instrument,
    title: 'Generate tests',
    category: 'AI',
    description: 'Writes unit tests for the given source code.',
    inputs: [{ name: 'code', type: DataType.code, label: 'Code', required: true }],
    outputs: [{ name: 'tests', type: DataType.code, label: 'Tests' }],
    params: z.object({
      model: chatModel,
      framework: z.enum(['vitest', 'jest', 'pytest', 'go-test']).default('vitest').describe('Framework'),
    }),
    defaults: { model: 'claude-sonnet', framework: 'vitest' },
  },
  {
    type: 'read-document',
    kind: NodeKind.operator,
    title: 'Read document',
    category: 'Documents',
    description: 'Reads a workspace document.',
    inputs: [],
    outputs: [{ name: 'document', type: DataType.document, label: 'Document' }],
    params: z.object({ documentId: documentRef('Document to read') }),
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
    params: z.object({
      documentId: documentRef('Document to write'),
      mode: z.enum(['replace', 'append']).default('append').describe('Mode'),
    }),
    defaults: { documentId: '', mode: 'append' },
    documentParams: { documentId: 'write' },
  },
  {
    type: 'read-code',
    kind: NodeKind.operator,
    title: 'Read code file',
    category: 'Documents',
    description: 'Reads a source file from the workspace as code.',
    inputs: [],
    outputs: [{ name: 'code', type: DataType.code, label: 'Code' }],
    params: z.object({ path: nonEmpty('path').max(500).describe('Path') }),
    defaults: { path: '' },
  },
  {
    type: 'split-text',
    kind: NodeKind.operator,
    title: 'Split text',
    category: 'Text',
    description: 'Splits text into chunks by paragraph, sentence or size.',
    inputs: [{ name: 'text', type: DataType.text, label: 'Text', required: true }],
    outputs: [{ name: 'chunks', type: DataType.textList, label: 'Chunks' }],
    params: z.object({
      by: z.enum(['paragraph', 'sentence', 'characters']).default('paragraph').describe('Split by'),
      size: z.number().int().min(1).max(1_000_000).default(2000).describe('Chunk size (characters)'),
    }),
    defaults: { by: 'paragraph', size: 2000 },
  },
  {
    type: 'join-text',
    kind: NodeKind.operator,
    title: 'Join',
    category: 'Text',
    description: 'Joins every connected text, in edge order, with a separator.',
    inputs: [{ name: 'parts', type: DataType.text, label: 'Parts', required: true, multiple: true }],
    outputs: [{ name: 'text', type: DataType.text, label: 'Text' }],
    params: z.object({ separator: z.string().max(100).default('\n\n').describe('Separator') }),
    defaults: { separator: '\n\n' },
  },
  {
    type: 'filter',
    kind: NodeKind.operator,
    title: 'Filter',
    category: 'Text',
    description: 'Keeps the items that match a regular expression (or those that do not).',
    inputs: [{ name: 'items', type: DataType.textList, label: 'Items', required: true }],
    outputs: [{ name: 'items', type: DataType.textList, label: 'Kept' }],
    params: z.object({
      pattern: nonEmpty('pattern')
        .max(1000)
        .refine(regexValid, 'pattern is not a valid regular expression')
        .describe('Pattern'),
      invert: z.boolean().default(false).describe('Keep non-matching'),
    }),
    defaults: { pattern: '.', invert: false },
  },
  {
    type: 'map',
    kind: NodeKind.operator,
    title: 'Map',
    category: 'Text',
    description: 'Rewrites each item through a template; {{item}} stands for the item.',
    inputs: [{ name: 'items', type: DataType.textList, label: 'Items', required: true }],
    outputs: [{ name: 'items', type: DataType.textList, label: 'Items' }],
    params: z.object({
      template: nonEmpty('template')
        .max(5000)
        .refine((t) => t.includes('{{item}}'), 'template must contain {{item}}')
        .describe('Template'),
    }),
    defaults: { template: '{{item}}' },
  },
  {
    type: 'code-format',
    kind: NodeKind.operator,
    title: 'Format code',
    category: 'Code',
    description: 'Formats source code in the chosen language.',
    inputs: [{ name: 'code', type: DataType.code, label: 'Code', required: true }],
    outputs: [{ name: 'code', type: DataType.code, label: 'Formatted' }],
    params: z.object({
      language: z
        .enum(['typescript', 'javascript', 'json', 'markdown', 'css'])
        .default('typescript')
        .describe('Language'),
    }),
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
    params: z.object({
      schema: z
        .string()
        .max(50_000)
        .default('')
        .refine((s) => s === '' || jsonValid(s), 'schema must be JSON')
        .describe('JSON Schema (optional)'),
    }),
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
    params: z.object({ text: z.string().max(10_000).default('').describe('Text') }),
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
    params: z.object({
      title: z.string().max(200).default('Group').describe('Title'),
      width: z.number().min(80).max(10_000).default(480).describe('Width'),
      height: z.number().min(60).max(10_000).default(320).describe('Height'),
    }),
    defaults: { title: 'Group', width: 480, height: 320 },
  },
];

/** Every node type Symphony knows, by type name. */
export const NodeLibrary: ReadonlyMap<string, NodeTypeSpec> = new Map(specs.map((s) => [s.type, s]));

/** The node type named `type`, or undefined. */
export function nodeType(type: string): NodeTypeSpec | undefined {
  return NodeLibrary.get(type);
}
