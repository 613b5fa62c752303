// The search feed of PostgresArtifactStore: artifacts whose revision is past the index's cursor, in
// batches, with their names, producers and (for text not indexed yet) their first chunk.
import type { ArtifactHash } from '@symphony/schemas';
import type postgres from 'postgres';
import { CHUNK_BYTES, decodeText, isTextMediaType, sha256Hex } from './content.js';
import type { SearchBatch, SearchEntry, SearchFeed } from './search.js';

/** 1,000 rows a query: 100,000 artifacts take 100 round trips, and a batch of texts stays within a few MiB for small ones. */
const BATCH = 1000;

/**
 * Every change is visible by revision: each write to an artifact's metadata draws a new revision
 * under one advisory lock, so revisions commit in order and a cursor never passes one still in flight.
 */
export function searchFeed(sql: postgres.Sql): SearchFeed {
  return {
    async *changes(cursor, wantsText): AsyncGenerator<SearchBatch> {
      let after = cursor;
      for (;;) {
        const rows = await sql`
          select a.hash, a.media_type, a.size::float8 as size, a.tags, a.revision::float8 as revision,
            a.blob_id::text as blob_id, a.chunks,
            coalesce((select array_agg(distinct n.name) from pit_artifact_names n where n.hash = a.hash), '{}') as names,
            coalesce((select array_agg(p.run_id || ' ' || p.node_id order by p.seq)
              from pit_artifact_provenance p where p.hash = a.hash), '{}') as producers
          from pit_artifacts a where a.revision > ${after} order by a.revision limit ${BATCH}`;
        if (rows.length === 0) return;
        const wanted = rows.filter((row) => isTextMediaType(row.media_type) && wantsText(row.hash));
        const texts = await firstChunks(sql, wanted);
        const entries: SearchEntry[] = rows.map((row) => ({
          hash: row.hash,
          mediaType: row.media_type,
          size: row.size,
          names: row.names,
          tags: row.tags,
          producers: row.producers,
          text: texts.get(row.hash),
        }));
        after = rows.at(-1)!.revision;
        yield { entries, cursor: after };
        if (rows.length < BATCH) return;
      }
    },
  };
}

/**
 * The text of each row's first chunk (all of a text up to 1 MiB, checked against its hash; of a
 * longer one the first MiB, unchecked). A corrupt one is left out of the index.
 */
async function firstChunks(
  sql: postgres.Sql,
  rows: readonly postgres.Row[],
): Promise<Map<ArtifactHash, string>> {
  const texts = new Map<ArtifactHash, string>();
  if (rows.length === 0) return texts;
  const byBlob = new Map<string, postgres.Row>(rows.map((row) => [row.blob_id, row]));
  const chunks = await sql`
    select blob_id::text as blob_id, bytes from pit_artifact_chunks
    where blob_id = any(${[...byBlob.keys()]}::bigint[]) and n = 0`;
  for (const chunk of chunks) {
    const row = byBlob.get(chunk.blob_id)!;
    const bytes = chunk.bytes as Buffer;
    if (row.size <= CHUNK_BYTES && sha256Hex(bytes) !== row.hash) continue;
    texts.set(row.hash, decodeText(bytes));
  }
  for (const row of rows) if (row.size === 0) texts.set(row.hash, '');
  return texts;
}
