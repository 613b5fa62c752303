// PostgresArtifactStore's bytes: blobs as 1 MiB rows of `pit_artifact_chunks`, uploaded and read a
// chunk at a time, hashed as they pass.
import { createHash } from 'node:crypto';
import type { ArtifactHash } from '@symphony/schemas';
import type postgres from 'postgres';
import { ArtifactCorruptError, parseInput } from '../errors.js';
import { CHUNK_BYTES, rechunk } from './content.js';
import { ArtifactChunkInput } from './input.js';
import type { BlobRef } from './postgres-schema.js';

type Sql = postgres.Sql | postgres.TransactionSql;

/** A blob uploaded under a fresh blob id (not yet pointed at by an artifact row). */
export interface Upload {
  readonly blobId: string;
  readonly chunks: number;
  readonly size: number;
  readonly hash: ArtifactHash;
}

/** Uploads `source` as 1 MiB chunk rows under a new blob id, hashing it on the way; memory stays at a chunk. */
export async function uploadBlob(tx: Sql, source: Uint8Array | AsyncIterable<Uint8Array>): Promise<Upload> {
  const [{ id }] = (await tx`select nextval('pit_artifact_blob_ids')::text as id`) as unknown as [
    { id: string },
  ];
  const digest = createHash('sha256');
  let chunks = 0;
  let size = 0;
  for await (const chunk of rechunk(
    source instanceof Uint8Array ? once(source) : checked(source),
    CHUNK_BYTES,
  )) {
    digest.update(chunk);
    await tx`insert into pit_artifact_chunks (blob_id, n, bytes) values (${id}, ${chunks}, ${asBuffer(chunk)})`;
    chunks++;
    size += chunk.length;
  }
  return { blobId: id, chunks, size, hash: digest.digest('hex') as ArtifactHash };
}

/** Deletes the chunk rows of a blob no artifact points at any more. */
export async function deleteBlob(tx: Sql, blobId: string): Promise<void> {
  await tx`delete from pit_artifact_chunks where blob_id = ${blobId}`;
}

/** The raw chunks of `blob` in order (not verified: pass them through `verifiedChunks`); stops at a missing one. */
export async function* blobChunks(sql: Sql, blob: BlobRef): AsyncGenerator<Uint8Array, void, undefined> {
  for (let n = 0; n < blob.chunks; n++) {
    const [row] =
      await sql`select bytes from pit_artifact_chunks where blob_id = ${blob.blobId} and n = ${n}`;
    if (!row) return;
    yield row.bytes as Buffer;
  }
}

/**
 * 4 chunks: a blob this small is read in one query; a larger one a chunk at a time into one buffer,
 * so the driver never holds the whole result besides it.
 */
const ONE_QUERY_CHUNKS = 4;

/** The bytes of `blob`, verified; throws ArtifactCorruptError on a mismatch or a missing chunk. */
export async function readBlob(sql: Sql, blob: BlobRef): Promise<Uint8Array> {
  const out = Buffer.allocUnsafe(blob.size);
  const digest = createHash('sha256');
  let pos = 0;
  const take = (bytes: Buffer) => {
    const n = Math.min(bytes.length, blob.size - pos);
    if (n > 0) bytes.copy(out, pos, 0, n);
    digest.update(bytes);
    pos += bytes.length;
  };
  if (blob.chunks <= ONE_QUERY_CHUNKS) {
    const rows = await sql`select bytes from pit_artifact_chunks where blob_id = ${blob.blobId} order by n`;
    for (const row of rows) take(row.bytes as Buffer);
  } else {
    for await (const chunk of blobChunks(sql, blob)) take(chunk as Buffer);
  }
  const actual = digest.digest('hex');
  if (actual !== blob.hash || pos !== blob.size) throw new ArtifactCorruptError(blob.hash, actual);
  return out;
}

/** Whether `blob`'s chunks are all there and hash to its address. */
export async function checkBlob(sql: Sql, blob: BlobRef): Promise<'ok' | 'missing' | 'mismatch'> {
  const digest = createHash('sha256');
  let seen = 0;
  for await (const chunk of blobChunks(sql, blob)) {
    digest.update(chunk);
    seen++;
  }
  if (seen === 0 && blob.chunks > 0) return 'missing';
  return seen === blob.chunks && digest.digest('hex') === blob.hash ? 'ok' : 'mismatch';
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function* checked(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) yield parseInput('ArtifactStore.put', ArtifactChunkInput, chunk);
}

/** A Buffer view of `bytes` (postgres.js sends a Buffer as bytea), without a copy. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
