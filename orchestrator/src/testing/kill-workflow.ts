// Seeded workflows for the kill -9 test: ~50 nodes of real, offline node types (read-code, split-text,
// filter, map, join-text, summarize, classify, extract-keywords, embed, validate-json, code-format,
// write-document) wired with fan-out and fan-in, and the files their read-code nodes read.
import {
  DocumentId,
  type EdgeId,
  type NodeId,
  type NodeKind,
  NodeLibrary,
  type Workflow,
  type WorkflowEdge,
  type WorkflowNode,
} from '@symphony/schemas';
import * as prng from 'lib0/prng';
import { z } from 'zod';
import { parseArgs } from '../executor/errors.js';

/** What {@link killWorkflow} builds. */
export const KillWorkflowOptions = z.object({
  /** Everything random (texts, shape, params) comes from it. */
  seed: z.number().int(),
  /** The document every write-document node appends to. */
  documentId: DocumentId,
  /** About this many nodes (the fixed part is 44; filler nodes make up the rest). */
  size: z.number().int().min(44).max(500).default(50),
  /** How many of them are write-document nodes. */
  writers: z.number().int().min(1).max(20).default(5),
  /** Put into every source file, so two workflows never share a cache entry. */
  salt: z.string().max(100).default(''),
});
export type KillWorkflowOptions = z.input<typeof KillWorkflowOptions>;

/** A workflow for the kill test and what it reads. */
export interface KillWorkflow {
  readonly workflow: Workflow;
  /** The files its read-code nodes read, by path relative to the folder granted to the run. */
  readonly files: Readonly<Record<string, string>>;
  /** Its write-document nodes. */
  readonly writers: readonly NodeId[];
}

/** An output port of a node, as an edge leaves it. */
interface Out {
  readonly node: NodeId;
  readonly port: string;
}

/** Themes of the generated prose, which are also the labels classify chooses from. */
const THEMES = {
  engineering: {
    nouns: ['compiler', 'server', 'journal', 'cache', 'thread', 'kernel', 'scheduler', 'socket'],
    verbs: ['flushes', 'compiles', 'schedules', 'replays', 'indexes', 'retries'],
  },
  music: {
    nouns: ['orchestra', 'violin', 'symphony', 'melody', 'conductor', 'choir', 'rhythm', 'cello'],
    verbs: ['plays', 'rehearses', 'tunes', 'hums', 'conducts', 'improvises'],
  },
  weather: {
    nouns: ['storm', 'rain', 'wind', 'cloud', 'thunder', 'frost', 'drizzle', 'sunrise'],
    verbs: ['soaks', 'chills', 'sweeps', 'darkens', 'clears', 'batters'],
  },
  travel: {
    nouns: ['train', 'harbour', 'mountain', 'city', 'ferry', 'station', 'valley', 'suitcase'],
    verbs: ['crosses', 'reaches', 'leaves', 'circles', 'passes', 'visits'],
  },
} as const;
type Theme = keyof typeof THEMES;
const THEME_NAMES = Object.keys(THEMES) as Theme[];
const ADJECTIVES = ['quiet', 'bright', 'heavy', 'early', 'distant', 'patient', 'sudden', 'careful', 'old'];
const PREPOSITIONS = ['near', 'behind', 'before', 'beside', 'after', 'under'];
const SEPARATORS = ['\n\n', ' | ', '\n', ' / ', ' ; ', '\n---\n', ' + '];
const MAP_TEMPLATES = ['- {{item}}', '* {{item}} *', '[{{item}}]', '{{item}}!', '> {{item}}'];
const MAP_EXPRESSIONS = [
  'item.toUpperCase()',
  "item.length + ': ' + item.slice(0, 24)",
  "index + '. ' + item",
  "item.split(' ').reverse().join(' ')",
];
const FILTER_PATTERNS = ['\\b(the|a)\\b', '^[A-Z]', 'e[rs]', '\\bthe \\w+ \\w+s\\b'];
const FILTER_EXPRESSIONS = ['item.length > 40', 'index % 2 === 0', "item.includes('the')"];

/**
 * A seeded workflow of about `size` nodes: 8 read-code sources (prose, TypeScript, JSON) feeding
 * summarize, extract-keywords, split-text → filter → map, classify, embed, code-format and
 * validate-json, join-text fan-ins of mixed text outputs, and `writers` write-document nodes
 * appending to `documentId`. Valid for `validateWorkflow`; the same options give the same workflow.
 */
export function killWorkflow(options: KillWorkflowOptions): KillWorkflow {
  const { seed, documentId, size, writers, salt } = parseArgs('killWorkflow', KillWorkflowOptions, options);
  const gen = prng.create(seed);
  const b = new WorkflowBuilder(`kill test ${seed}`);
  const files: Record<string, string> = {};
  const texts: Out[] = [];
  const lists: Out[] = [];

  const prose: Out[] = [];
  for (let i = 0; i < 4; i++) {
    const path = `prose-${i}.md`;
    files[path] = proseText(gen, salt);
    prose.push(b.add('read-code', { path }, []).out('code'));
  }
  const code: Out[] = [];
  for (let i = 0; i < 2; i++) {
    const path = `code-${i}.ts`;
    files[path] = codeText(gen, salt);
    code.push(b.add('read-code', { path }, []).out('code'));
  }
  const json: Out[] = [];
  for (let i = 0; i < 2; i++) {
    const path = `data-${i}.json`;
    files[path] = jsonText(gen, salt);
    json.push(b.add('read-code', { path }, []).out('code'));
  }

  for (const source of prose) {
    texts.push(
      b.add('summarize', { length: one(gen, ['short', 'medium', 'long']) }, [source]).out('summary'),
    );
    lists.push(b.add('extract-keywords', { count: prng.int32(gen, 3, 8) }, [source]).out('keywords'));
    const chunks = b.add('split-text', { by: one(gen, ['sentence', 'paragraph']) }, [source]).out('chunks');
    const kept = b.add('filter', filterParams(gen), [chunks]).out('items');
    lists.push(b.add('map', mapParams(gen), [kept]).out('items'));
  }
  for (const source of shuffled(gen, prose).slice(0, 2))
    texts.push(b.add('classify', { labels: THEME_NAMES }, [source]).out('label'));
  b.add('embed', { dimensions: prng.int32(gen, 16, 64) }, [one(gen, prose)]);
  for (const source of code)
    texts.push(b.add('code-format', { language: 'typescript' }, [source]).out('code'));
  texts.push(
    b.add('validate-json', { schema: '{"type":"object","required":["name"]}' }, [json[0]!]).out('json'),
  );
  texts.push(b.add('validate-json', {}, [json[1]!]).out('json'));
  texts.push(b.add('code-format', { language: 'json' }, [one(gen, json)]).out('code'));
  for (const list of lists.slice(0, 4)) b.add('map', mapParams(gen), [list]);

  const joins: Out[] = [];
  for (let i = 0; i < 3; i++)
    joins.push(b.add('join-text', joinParams(gen, i), pick(gen, texts, 2, 4)).out('text'));
  texts.push(...joins);
  texts.push(
    b.add('summarize', { length: 'short', focus: one(gen, THEME_NAMES) }, [joins[0]!]).out('summary'),
  );

  for (let i = 0; b.count < size - writers; i++) {
    const filler = prng.int32(gen, 0, 2);
    if (filler === 0)
      texts.push(b.add('join-text', joinParams(gen, 3 + i), pick(gen, texts, 2, 3)).out('text'));
    else if (filler === 1)
      texts.push(b.add('classify', { labels: shuffled(gen, THEME_NAMES) }, [one(gen, texts)]).out('label'));
    else
      b.add('map', mapParams(gen), [
        b.add('extract-keywords', { count: prng.int32(gen, 2, 9) }, [one(gen, texts)]).out('keywords'),
      ]);
  }

  const written: NodeId[] = [];
  const sources = shuffled(gen, texts);
  for (let i = 0; i < writers; i++) {
    written.push(b.add('write-document', { documentId, mode: 'append' }, [sources[i % sources.length]!]).id);
  }
  return { workflow: b.workflow, files, writers: written };
}

/** Builds a workflow node by node; each node's inputs are wired to its type's first input port. */
class WorkflowBuilder {
  readonly workflow: Workflow;
  #edges = 0;

  constructor(name: string) {
    this.workflow = { name, nodes: {}, edges: {} };
  }

  get count(): number {
    return Object.keys(this.workflow.nodes).length;
  }

  /** Adds a node of `type` whose input port (the type's only one) takes `inputs`, in order. */
  add(
    type: string,
    params: Record<string, unknown>,
    inputs: readonly Out[],
  ): { id: NodeId; out(port: string): Out } {
    const id = `n${String(this.count).padStart(2, '0')}-${type}` as NodeId;
    const node: WorkflowNode = { type, kind: nodeKind(type), params, position: { x: this.count * 40, y: 0 } };
    this.workflow.nodes[id] = node;
    const port = INPUT_PORT[type];
    for (const from of inputs) {
      if (port === undefined) throw new Error(`killWorkflow: a ${type} node takes no input`);
      const edge: WorkflowEdge = { from, to: { node: id, port } };
      this.workflow.edges[`e${String(this.#edges++).padStart(3, '0')}` as EdgeId] = edge;
    }
    return { id, out: (name) => ({ node: id, port: name }) };
  }
}

/** The input port of each node type the kill workflow uses. */
const INPUT_PORT: Readonly<Record<string, string>> = {
  summarize: 'text',
  classify: 'text',
  'extract-keywords': 'text',
  embed: 'text',
  'split-text': 'text',
  'join-text': 'parts',
  filter: 'items',
  map: 'items',
  'code-format': 'code',
  'validate-json': 'text',
  'write-document': 'text',
};

function nodeKind(type: string): NodeKind {
  const spec = NodeLibrary.get(type);
  if (spec === undefined) throw new Error(`killWorkflow: ${type} is not in the node library`);
  return spec.kind;
}

function filterParams(gen: prng.PRNG): Record<string, unknown> {
  const pattern = one(gen, FILTER_PATTERNS);
  return prng.bool(gen)
    ? { pattern, invert: prng.bool(gen) }
    : { pattern, expression: one(gen, FILTER_EXPRESSIONS) };
}

function mapParams(gen: prng.PRNG): Record<string, unknown> {
  return prng.bool(gen)
    ? { template: one(gen, MAP_TEMPLATES) }
    : { template: '{{item}}', expression: one(gen, MAP_EXPRESSIONS) };
}

/** Join params; `i` makes the separator differ from the other joins' (no two share a cache key). */
function joinParams(gen: prng.PRNG, i: number): Record<string, unknown> {
  return { separator: `${one(gen, SEPARATORS)}${i > 2 ? `#${i} ` : ''}` };
}

/** Between `min` and `max` distinct items of `pool`, in a random order. */
function pick<T>(gen: prng.PRNG, pool: readonly T[], min: number, max: number): T[] {
  return shuffled(gen, pool).slice(0, Math.min(pool.length, prng.int32(gen, min, max)));
}

function shuffled<T>(gen: prng.PRNG, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = prng.int32(gen, 0, i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Prose of 3–5 paragraphs of 3–5 sentences, each paragraph on one theme. */
function proseText(gen: prng.PRNG, salt: string): string {
  const paragraphs: string[] = [];
  const count = prng.int32(gen, 3, 5);
  for (let p = 0; p < count; p++) {
    const theme = THEMES[one(gen, THEME_NAMES)];
    const sentences: string[] = [];
    for (let s = prng.int32(gen, 3, 5); s > 0; s--) {
      const sentence = `the ${one(gen, ADJECTIVES)} ${one(gen, theme.nouns)} ${one(gen, theme.verbs)} the ${one(gen, theme.nouns)} ${one(gen, PREPOSITIONS)} the ${one(gen, ADJECTIVES)} ${one(gen, theme.nouns)}.`;
      sentences.push(sentence[0]!.toUpperCase() + sentence.slice(1));
    }
    paragraphs.push(sentences.join(' '));
  }
  if (salt !== '') paragraphs.push(`Written for ${salt}.`);
  return `${paragraphs.join('\n\n')}\n`;
}

/** Unformatted TypeScript: a few functions on one line each. */
function codeText(gen: prng.PRNG, salt: string): string {
  const lines = [`// ${salt || 'kill test'}`];
  for (let i = prng.int32(gen, 2, 4); i > 0; i--) {
    const k = prng.int32(gen, 2, 99);
    lines.push(
      `export function f${i}_${k}(a:number,b:number){const c=a*${k}+b;return c>${k}?c:{value:c,  k:${k}}.value}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A small JSON object with a `name`. */
function jsonText(gen: prng.PRNG, salt: string): string {
  const items = Array.from({ length: prng.int32(gen, 1, 5) }, () => prng.int32(gen, 0, 1000));
  return JSON.stringify({ name: one(gen, THEME_NAMES), salt, items, ok: prng.bool(gen) });
}

/** One of `items`, chosen by `gen`. */
function one<T>(gen: prng.PRNG, items: readonly T[]): T {
  return items[prng.int32(gen, 0, items.length - 1)]!;
}
