// The extension protocol as the runtime inside each sandbox reads it, without zod: zod and the schemas
// were two fifths of an idle instance's own memory and half its start (bench/extensions). The contract
// stays `schemas/src/extensions.ts`: the names below are typed by it (tsc fails when one drifts), the
// parsers return its types, and protocol.test.ts checks them against its zod schemas.
import type { ExtensionLimits, ExtensionManifest, ExtensionMethod, ExtensionRun } from '@symphony/schemas';

/** The protocol's method names, both directions (`ExtensionMethod`). */
export const Method: typeof ExtensionMethod = {
  init: 'extension.init',
  run: 'node.run',
  cancel: 'node.cancel',
  progress: 'node.progress',
  fetch: 'fetch',
  fetchChunk: 'fetch.chunk',
  fetchEnd: 'fetch.end',
  fetchError: 'fetch.error',
  fetchAbort: 'fetch.abort',
  log: 'log',
};

/** `ExtensionLimits.maxOutputBytes` (protocol.test.ts checks they agree). */
export const MAX_OUTPUT_BYTES: (typeof ExtensionLimits)['maxOutputBytes'] = 256 * 1024 * 1024;

/** JSON-RPC error codes of the runtime's answers (the implementation-defined range). */
export const RuntimeErrorCode = {
  /** `run` (or the module's import) threw. */
  threw: -32001,
  /** The module does not export `run`, or `run` returned something that is not `{ outputs }`. */
  badModule: -32002,
  /** The host sent params that do not fit the protocol (JSON-RPC's "invalid params"). */
  invalidParams: -32602,
} as const;

/** The `data` of a runtime error answer (the host checks it with run-failure.ts's schema). */
export interface RunFailureData {
  /** A `RunErrorCode` the extension set on its error. */
  code?: string;
  retryable?: boolean;
  details?: Record<string, unknown>;
  /** The platform refused the operation (`ERR_ACCESS_DENIED`: a folder, a process, a worker, the network). */
  denied?: boolean;
  /** A file system error and the path it names, for the host to check against the grants. */
  fs?: { code: string; path: string };
}

/** A message the host sent that does not fit the protocol; its message names the field. */
export class ProtocolShapeError extends Error {
  override name = 'ProtocolShapeError';
}

/** What `extension.init` carries that the runtime reads (the host parsed the whole manifest). */
export interface InitParams {
  readonly manifest: Pick<ExtensionManifest, 'entry'>;
  readonly config: Record<string, unknown>;
}

/** The head of a relayed fetch, the answer to a `fetch` request (`ExtensionFetchHead`). */
export interface FetchHead {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Record<string, string>;
}

type Fields = Record<string, unknown>;

function object(value: unknown, what: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ProtocolShapeError(`${what} must be an object`);
  return value as Fields;
}

function string(value: unknown, what: string, max: number, min = 0): string {
  if (typeof value !== 'string' || value.length < min || value.length > max)
    throw new ProtocolShapeError(`${what} must be a string of ${min}–${max} characters`);
  return value;
}

function integer(value: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max)
    throw new ProtocolShapeError(`${what} must be an integer from ${min} to ${max}`);
  return value as number;
}

/** `extension.init`: the entry to import (relative, no "..", `.js`/`.mjs`) and the config. */
export function parseInit(params: unknown): InitParams {
  const fields = object(params, 'extension.init params');
  const manifest = object(fields.manifest, 'extension.init manifest');
  const entry = string(manifest.entry, 'manifest.entry', 512, 1);
  if (entry.startsWith('/') || entry.split(/[\\/]/).includes('..') || !/\.(m?js)$/.test(entry))
    throw new ProtocolShapeError('manifest.entry must be a .js or .mjs path inside the extension folder');
  const config = fields.config === undefined ? {} : object(fields.config, 'extension.init config');
  return { manifest: { entry }, config };
}

/** `node.run` (`ExtensionRun`). */
export function parseRun(params: unknown): ExtensionRun {
  const fields = object(params, 'node.run params');
  const inputs = object(fields.inputs, 'node.run inputs') as Record<string, unknown[]>;
  for (const [port, values] of Object.entries(inputs))
    if (!Array.isArray(values)) throw new ProtocolShapeError(`node.run inputs.${port} must be an array`);
  return {
    callId: string(fields.callId, 'node.run callId', 200, 1),
    nodeType: string(fields.nodeType, 'node.run nodeType', 64),
    params: object(fields.params, 'node.run params.params'),
    inputs,
    attempt: integer(fields.attempt, 'node.run attempt', 1),
    idempotencyKey: string(fields.idempotencyKey, 'node.run idempotencyKey', 400),
  };
}

/** `node.cancel` (`ExtensionCancel`). */
export function parseCancel(params: unknown): { callId: string } {
  return { callId: string(object(params, 'node.cancel params').callId, 'node.cancel callId', 200) };
}

/** `fetch.chunk` (`ExtensionFetchChunk`). */
export function parseFetchChunk(params: unknown): { fetchId: string; data: string } {
  const fields = object(params, 'fetch.chunk params');
  return {
    fetchId: string(fields.fetchId, 'fetch.chunk fetchId', 100),
    data: string(fields.data, 'fetch.chunk data', Number.MAX_SAFE_INTEGER),
  };
}

/** `fetch.end` (`ExtensionFetchEnd`). */
export function parseFetchEnd(params: unknown): { fetchId: string } {
  return { fetchId: string(object(params, 'fetch.end params').fetchId, 'fetch.end fetchId', 100) };
}

/** `fetch.error` (`ExtensionFetchError`). */
export function parseFetchError(params: unknown): { fetchId: string; message: string } {
  const fields = object(params, 'fetch.error params');
  return {
    fetchId: string(fields.fetchId, 'fetch.error fetchId', 100),
    message: string(fields.message, 'fetch.error message', 2000),
  };
}

/** The answer to a `fetch` request (`ExtensionFetchHead`). */
export function parseFetchHead(answer: unknown): FetchHead {
  const fields = object(answer, 'the fetch answer');
  const headers = object(fields.headers, 'the fetch answer headers');
  for (const [name, value] of Object.entries(headers))
    if (typeof value !== 'string')
      throw new ProtocolShapeError(`fetch answer header ${name} must be a string`);
  return {
    status: integer(fields.status, 'the fetch answer status', 100, 599),
    statusText:
      fields.statusText === undefined ? '' : string(fields.statusText, 'the fetch answer statusText', 500),
    headers: headers as Record<string, string>,
  };
}
