// The run cache's key: what a node's output depends on, hashed. Like ComfyUI's input signatures (a
// node's own signature plus its inputs', and the inputs are its ancestors' results), but persisted.
import { hash } from 'node:crypto';
import type { ArtifactHash } from '@symphony/schemas';

/** What a node's output is a function of, for a deterministic step. */
export interface CacheKeyInput {
  /** The node type. */
  readonly type: string;
  /** The step's version: a new version never hits an old entry. */
  readonly version: string;
  /** The params as the node type's schema parsed them (defaults filled in). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Every input port in the node type's order, with the artifact hashes on it in edge order. */
  readonly inputs: readonly { readonly port: string; readonly hashes: readonly ArtifactHash[] }[];
}

/**
 * The cache key of a node: the SHA-256 of a canonical encoding (JSON with object keys sorted at
 * every depth, no white space) of its type, step version, params and input hashes. The input
 * hashes are the upstream nodes' outputs, which were themselves computed from theirs, so a change
 * anywhere upstream changes the key. The caller decides whether a node has a key at all: never
 * for a non-deterministic step, never in a run started with `cache: false`.
 */
export function cacheKey(input: CacheKeyInput): ArtifactHash {
  // An array, so only the params need sorting: `[1, type, version, params, [[port, [hash…]]…]]`.
  let inputs = '';
  for (const { port, hashes } of input.inputs) {
    inputs += `${inputs === '' ? '' : ','}[${JSON.stringify(port)},${JSON.stringify(hashes)}]`;
  }
  const encoded = `[1,${JSON.stringify(input.type)},${JSON.stringify(input.version)},${canonicalJson(input.params)},[${inputs}]]`;
  return hash('sha256', encoded, 'hex') as ArtifactHash;
}

/**
 * `value` as JSON with every object's keys in code-unit order, so equal values always encode to the
 * same text. Like `JSON.stringify`, `undefined` properties are left out and `undefined` array
 * items become `null`; a value JSON cannot hold (a function, a bigint, a cycle) throws TypeError.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, 0);
}

/** Deeper than this is taken for a cycle (params are shallow; a cycle would recurse forever). */
const MAX_DEPTH = 256;

function encode(value: unknown, depth: number): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
      throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
    }
    return JSON.stringify(value) ?? 'null';
  }
  if (depth > MAX_DEPTH) throw new TypeError(`canonicalJson: nested deeper than ${MAX_DEPTH} (a cycle?)`);
  let text = '';
  if (Array.isArray(value)) {
    for (const item of value)
      text += `${text === '' ? '' : ','}${item === undefined ? 'null' : encode(item, depth + 1)}`;
    return `[${text}]`;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    text += `${text === '' ? '' : ','}${JSON.stringify(key)}:${encode(item, depth + 1)}`;
  }
  return `{${text}}`;
}
