// Every node type's parameter schema, typed, so the node library validates with them and the steps
// that run a node read its params with the same types and defaults.
import { z } from 'zod';

/** The JSON Schema `format` of a parameter holding a document id: the inspector shows a picker. */
export const DOCUMENT_ID_FORMAT = 'document-id';

/**
 * The model that runs in Symphony's own process with no network and no download: extractive and
 * statistical (wink-nlp, TF-IDF), not a neural network. Every other model needs an AI instrument.
 */
export const LOCAL_MODEL = 'local';

/** Whether `model` is the {@link LOCAL_MODEL}: the node runs offline, without an AI instrument. */
export function isLocalModel(model: string): boolean {
  return model === LOCAL_MODEL;
}

/**
 * `auto`: the router picks among every configured instrument that serves the node, by what it has
 * learned of their quality, latency and cost (`symphony instruments stats`).
 */
const AUTO = 'auto';
const CHAT_MODELS = [AUTO, 'claude-sonnet', 'claude-haiku', 'gpt-4o', 'gpt-4o-mini', 'local-llama'] as const;
const EMBEDDING_MODELS = [AUTO, 'text-embedding-3-small', 'text-embedding-3-large', 'local-minilm'] as const;

/** Chat models of the node library (`auto` first), as instruments map them to provider model ids. */
export const CHAT_MODEL_NAMES: readonly string[] = CHAT_MODELS;
/** Embedding models of the node library (`auto` first). */
export const EMBEDDING_MODEL_NAMES: readonly string[] = EMBEDDING_MODELS;

/** Pins a node to one configured instrument instead of letting the router choose. */
const instrumentPin = {
  instrument: z
    .string()
    .max(40)
    .regex(/^([a-z0-9][a-z0-9-]{0,39})?$/, 'instrument: the id of a configured instrument, or empty')
    .default('')
    .describe('Instrument (empty: the router picks)'),
};

const chatModel = z.enum(CHAT_MODELS).default('claude-sonnet').describe('Model');

/**
 * A model choice whose default is {@link LOCAL_MODEL}; `localTitle` is what the inspector shows for
 * it (`optionTitles` in the JSON Schema), so nobody takes it for a language model.
 */
function modelOrLocal<const M extends readonly [string, ...string[]]>(models: M, localTitle: string) {
  return z
    .enum([LOCAL_MODEL, ...models])
    .default(LOCAL_MODEL)
    .meta({ description: 'Model', optionTitles: { [LOCAL_MODEL]: localTitle } });
}

const nonEmpty = (what: string) => z.string().trim().min(1, `${what} must not be empty`);
/** A document id parameter; `.parse` only checks its shape, validation checks the document. */
const documentRef = (label: string) =>
  nonEmpty(label.toLowerCase()).max(128).meta({ format: DOCUMENT_ID_FORMAT }).describe(label);

function regexValid(pattern: string): boolean {
  try {
    // Compiling never runs the pattern: a catastrophic pattern is harmless here (it runs sandboxed).
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

/** 2,000 characters: an expression is a line or two; anything longer belongs in an extension. */
const MAX_EXPRESSION_LENGTH = 2000;

/**
 * Every node type's parameters, by type name. `.parse(params)` gives the typed params with the
 * defaults filled in; {@link NodeParamsOf} names their type.
 */
export const NodeParams = {
  'llm-prompt': z.object({
    model: chatModel,
    prompt: nonEmpty('prompt').max(20_000).describe('Prompt'),
    temperature: z.number().min(0).max(2).default(0.7).describe('Temperature'),
    maxTokens: z.number().int().min(1).max(32_000).default(1024).describe('Max tokens'),
    ...instrumentPin,
  }),
  summarize: z.object({
    model: modelOrLocal(CHAT_MODELS, 'Local (extractive, non-neural)'),
    length: z.enum(['short', 'medium', 'long']).default('medium').describe('Length'),
    focus: z.string().max(500).default('').describe('Focus (optional)'),
    ...instrumentPin,
  }),
  classify: z.object({
    model: modelOrLocal(CHAT_MODELS, 'Local (keyword overlap, non-neural)'),
    labels: z.array(nonEmpty('label').max(100)).min(2, 'give at least two labels').max(50).describe('Labels'),
    ...instrumentPin,
  }),
  'extract-keywords': z.object({
    model: modelOrLocal(CHAT_MODELS, 'Local (key phrases by word statistics, non-neural)'),
    count: z.number().int().min(1).max(100).default(10).describe('Keywords'),
    ...instrumentPin,
  }),
  embed: z.object({
    model: modelOrLocal(EMBEDDING_MODELS, 'Local (hashed TF-IDF, non-neural)'),
    dimensions: z.number().int().min(16).max(4096).default(1536).describe('Dimensions'),
    ...instrumentPin,
  }),
  translate: z.object({
    model: chatModel,
    targetLanguage: nonEmpty('target language').max(40).describe('Target language'),
    ...instrumentPin,
  }),
  'review-code': z.object({
    model: chatModel,
    focus: z.enum(['bugs', 'security', 'style', 'all']).default('all').describe('Focus'),
    ...instrumentPin,
  }),
  'generate-tests': z.object({
    model: chatModel,
    framework: z.enum(['vitest', 'jest', 'pytest', 'go-test']).default('vitest').describe('Framework'),
    ...instrumentPin,
  }),
  'read-document': z.object({ documentId: documentRef('Document to read') }),
  'write-document': z.object({
    documentId: documentRef('Document to write'),
    mode: z.enum(['replace', 'append']).default('append').describe('Mode'),
  }),
  'read-code': z.object({ path: nonEmpty('path').max(500).describe('Path') }),
  'split-text': z.object({
    by: z.enum(['paragraph', 'sentence', 'characters']).default('paragraph').describe('Split by'),
    size: z.number().int().min(1).max(1_000_000).default(2000).describe('Chunk size (characters)'),
  }),
  'join-text': z.object({ separator: z.string().max(100).default('\n\n').describe('Separator') }),
  filter: z.object({
    pattern: nonEmpty('pattern')
      .max(1000)
      .refine(regexValid, 'pattern is not a valid regular expression')
      .describe('Pattern'),
    invert: z.boolean().default(false).describe('Keep non-matching'),
    expression: z
      .string()
      .max(MAX_EXPRESSION_LENGTH)
      .default('')
      .describe('Expression (optional, instead of the pattern; item and index in scope)'),
  }),
  map: z.object({
    template: nonEmpty('template')
      .max(5000)
      .refine((t) => t.includes('{{item}}'), 'template must contain {{item}}')
      .describe('Template'),
    expression: z
      .string()
      .max(MAX_EXPRESSION_LENGTH)
      .default('')
      .describe('Expression (optional, instead of the template; item and index in scope)'),
  }),
  'code-format': z.object({
    language: z
      .enum(['typescript', 'javascript', 'json', 'markdown', 'css'])
      .default('typescript')
      .describe('Language'),
  }),
  'validate-json': z.object({
    schema: z
      .string()
      .max(50_000)
      .default('')
      .refine((s) => s === '' || jsonValid(s), 'schema must be JSON')
      .describe('JSON Schema (optional)'),
  }),
  note: z.object({ text: z.string().max(10_000).default('').describe('Text') }),
  group: z.object({
    title: z.string().max(200).default('Group').describe('Title'),
    width: z.number().min(80).max(10_000).default(480).describe('Width'),
    height: z.number().min(60).max(10_000).default(320).describe('Height'),
  }),
} as const;

/** A node type that has a param schema in {@link NodeParams}. */
export type NodeParamsType = keyof typeof NodeParams;

/** The parsed params (defaults filled in) of a node of type `T`. */
export type NodeParamsOf<T extends NodeParamsType> = z.output<(typeof NodeParams)[T]>;
