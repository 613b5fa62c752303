// The arguments of the ArtifactStore port, as zod schemas: every adapter parses with these, so every
// adapter refuses the same bad input with the same PitInputError, before it touches storage.
import {
  ArtifactHash,
  ArtifactName,
  type ArtifactProvenance,
  ArtifactPutOptions,
  NodeOutputs,
  RunId,
} from '@symphony/schemas';
import { z } from 'zod';
import type { ArtifactContent, CacheEntry } from '../ArtifactStore.js';
import { parseInput } from '../errors.js';

const isAsyncIterable = (value: unknown): value is AsyncIterable<Uint8Array> =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';

/** What `put` accepts as content: bytes, a string, or an async iterable of byte chunks. */
export const ArtifactContentInput = z.union([
  z.instanceof(Uint8Array),
  z.string(),
  z.custom<AsyncIterable<Uint8Array>>(
    isAsyncIterable,
    'content must be a Uint8Array, a string or an AsyncIterable<Uint8Array>',
  ),
]);

/** One chunk of a streamed `put`. */
export const ArtifactChunkInput = z.instanceof(Uint8Array, {
  message: 'every chunk of a streamed artifact must be a Uint8Array',
});

/** Options of `list`. */
export const ListOptionsInput = z
  .object({
    /** 100 by default; at most 10,000 a call. */
    limit: z.number().int().min(1).max(10_000).default(100),
    tag: z.string().min(1).max(100).optional(),
  })
  .strict()
  .default({ limit: 100 });

/** Arguments of `search`. */
export const SearchInput = z.object({
  query: z.string().trim().min(1, 'search text must not be empty').max(1000),
  options: z
    .object({ limit: z.number().int().min(1).max(1000).default(20) })
    .strict()
    .default({ limit: 20 }),
});

/** A run cache entry as `remember` takes it. */
export const CacheEntryInput = z.object({
  outputs: NodeOutputs,
  runId: RunId,
  at: z.number().int().nonnegative(),
});

/** `put`'s options once parsed: defaults applied, provenance's `inputs` filled in. */
export interface PutOptions {
  readonly mediaType: string;
  readonly producedBy: ArtifactProvenance | undefined;
  readonly tags: readonly string[];
  readonly name: ArtifactName | undefined;
}

/** Parses `put`'s arguments, throwing PitInputError before anything is stored. */
export function parsePut(
  content: unknown,
  options: unknown,
): { content: ArtifactContent; options: PutOptions } {
  const parsedContent = parseInput('ArtifactStore.put', ArtifactContentInput, content);
  const parsed = parseInput('ArtifactStore.put', ArtifactPutOptions, options);
  return {
    content: parsedContent,
    options: {
      mediaType: parsed.mediaType,
      producedBy: parsed.producedBy,
      tags: [...new Set(parsed.tags)],
      name: parsed.name,
    },
  };
}

/** Parses a hash argument of `api`. */
export function parseHash(api: string, hash: unknown): ArtifactHash {
  return parseInput(api, ArtifactHash, hash);
}

/** Parses an artifact name argument of `api`. */
export function parseArtifactName(api: string, name: unknown): ArtifactName {
  return parseInput(api, ArtifactName, name);
}

/** Parses `name`'s arguments. */
export function parseName(name: unknown, hash: unknown): { name: ArtifactName; hash: ArtifactHash } {
  return {
    name: parseArtifactName('ArtifactStore.name', name),
    hash: parseHash('ArtifactStore.name', hash),
  };
}

/** Parses `remember`'s arguments; the entry comes back frozen, so what `cached` hands out cannot be edited. */
export function parseRemember(key: unknown, entry: unknown): { key: ArtifactHash; entry: CacheEntry } {
  const parsedKey = parseHash('ArtifactStore.remember', key);
  const parsed = parseInput('ArtifactStore.remember', CacheEntryInput, entry);
  return { key: parsedKey, entry: freezeEntry(parsed) };
}

/** A cache entry, deep-frozen. */
export function freezeEntry(entry: CacheEntry): CacheEntry {
  return Object.freeze({ outputs: Object.freeze({ ...entry.outputs }), runId: entry.runId, at: entry.at });
}

const hashPattern = /^[0-9a-f]{64}$/;

/**
 * Checks `cached`'s key at about the cost of the lookup itself (a cache hit is meant to cost about
 * a `Map.get`); only a bad key pays for the zod parse that builds the PitInputError.
 */
export function checkCacheKey(key: unknown): asserts key is ArtifactHash {
  if (typeof key !== 'string' || !hashPattern.test(key)) parseHash('ArtifactStore.cached', key);
}

/** Parses `verify`'s progress callback. */
export function parseProgress(onProgress: unknown): ((checked: number, total: number) => void) | undefined {
  return parseInput(
    'ArtifactStore.verify',
    z
      .custom<(checked: number, total: number) => void>(
        (v) => typeof v === 'function',
        'onProgress must be a function',
      )
      .optional(),
    onProgress,
  );
}
