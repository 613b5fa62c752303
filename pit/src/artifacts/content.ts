// What every ArtifactStore adapter does to bytes: hash them, tell text from binary, and check what it
// reads back against the address it was stored under.
import { createHash } from 'node:crypto';
import type { ArtifactHash } from '@symphony/schemas';
import { ArtifactCorruptError } from '../errors.js';

/**
 * 1 MiB: the unit a large artifact moves in (a Postgres chunk row, a file read), and the most text
 * of one artifact the search index takes: enough for any document a person reads, and 100,000 of
 * them still fit in memory.
 */
export const CHUNK_BYTES = 1024 * 1024;

/** The SHA-256 of `bytes`, as 64 lowercase hex digits: the address of an artifact. */
export function sha256Hex(bytes: Uint8Array): ArtifactHash {
  return createHash('sha256').update(bytes).digest('hex') as ArtifactHash;
}

/** `text` as UTF-8 bytes (a view on a fresh buffer, no copy beyond the encoding). */
export function utf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

/** Whether artifacts of `mediaType` are text the search index reads: `text/*`, JSON and `+json` types. */
export function isTextMediaType(mediaType: string): boolean {
  const type = mediaType.split(';', 1)[0]!.trim().toLowerCase();
  return type.startsWith('text/') || type === 'application/json' || type.endsWith('+json');
}

/** Throws {@link ArtifactCorruptError} unless `bytes` hash to `hash`. */
export function checkBytes(hash: ArtifactHash, bytes: Uint8Array): void {
  const actual = sha256Hex(bytes);
  if (actual !== hash) throw new ArtifactCorruptError(hash, actual);
}

/**
 * Passes `chunks` through while hashing them, holding the last chunk back until the whole stream
 * hashed to `hash`: a consumer never sees the complete bytes of a corrupt artifact, and one stored
 * as a single chunk yields nothing at all before the {@link ArtifactCorruptError}.
 */
export async function* verifiedChunks(
  hash: ArtifactHash,
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array, void, undefined> {
  const digest = createHash('sha256');
  let held: Uint8Array | undefined;
  for await (const chunk of chunks) {
    digest.update(chunk);
    if (held) yield held;
    held = chunk;
  }
  const actual = digest.digest('hex');
  if (actual !== hash) throw new ArtifactCorruptError(hash, actual);
  if (held) yield held;
}

/**
 * Regroups a stream into chunks of exactly `size` bytes (the last may be shorter, none is empty),
 * copying only what straddles a boundary; memory stays at about one chunk whatever the stream's
 * length.
 */
export async function* rechunk(
  source: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  let buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  for await (const piece of source) {
    let offset = 0;
    if (filled === 0) {
      while (piece.length - offset >= size) {
        yield piece.subarray(offset, offset + size);
        offset += size;
      }
    }
    while (offset < piece.length) {
      const n = Math.min(size - filled, piece.length - offset);
      buffer.set(piece.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === size) {
        yield buffer;
        buffer = Buffer.allocUnsafe(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}

/** Reads at most `limit` bytes of UTF-8 text; a character cut at the limit becomes U+FFFD, never an error. */
export function decodeText(bytes: Uint8Array, limit = CHUNK_BYTES): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, limit));
}
