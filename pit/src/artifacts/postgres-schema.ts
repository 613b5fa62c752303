// PostgresArtifactStore's tables, created at open if missing, and how their rows become the port's types.
import type { ArtifactHash, ArtifactInfo, ArtifactProvenance, ArtifactVersion } from '@symphony/schemas';
import type postgres from 'postgres';

/**
 * Advisory lock keys (any two constants no other Symphony table uses): one serialises the
 * `create table if not exists` at open (two processes opening at once would race on the catalog),
 * the other every metadata change, so revisions commit in the order they were drawn and the search
 * index, which catches up by revision, never skips one that committed late.
 */
export const SCHEMA_LOCK = 7_301_401;
export const REVISION_LOCK = 7_301_402;

/**
 * The tables. Blob bytes live in `pit_artifact_chunks` as 1 MiB rows under a blob id, so a large
 * artifact moves through memory a chunk at a time; an artifact row points at its blob id, which
 * lets a damaged copy be replaced by a fresh upload in one update. Chunks are stored uncompressed
 * (`storage external`): artifacts are often compressed already, and TOAST would try in vain.
 */
const DDL = `
create sequence if not exists pit_artifact_blob_ids;
create sequence if not exists pit_artifact_revisions;
create table if not exists pit_artifacts (
  hash text primary key,
  size bigint not null,
  media_type text not null,
  created bigint not null,
  tags text[] not null default '{}',
  blob_id bigint not null,
  chunks integer not null,
  seq bigserial not null,
  revision bigint not null
);
create index if not exists pit_artifacts_seq on pit_artifacts (seq);
create index if not exists pit_artifacts_revision on pit_artifacts (revision);
create index if not exists pit_artifacts_tags on pit_artifacts using gin (tags);
create table if not exists pit_artifact_chunks (
  blob_id bigint not null,
  n integer not null,
  bytes bytea not null,
  primary key (blob_id, n)
);
alter table pit_artifact_chunks alter column bytes set storage external;
create table if not exists pit_artifact_provenance (
  hash text not null references pit_artifacts (hash),
  key text not null,
  seq bigserial not null,
  run_id text not null,
  node_id text not null,
  port text not null,
  inputs text[] not null,
  primary key (hash, key)
);
create table if not exists pit_artifact_lineage (
  input text not null,
  output text not null references pit_artifacts (hash),
  seq bigserial not null,
  primary key (input, output)
);
create table if not exists pit_artifact_names (
  name text not null,
  version integer not null,
  hash text not null references pit_artifacts (hash),
  created bigint not null,
  primary key (name, version)
);
create index if not exists pit_artifact_names_hash on pit_artifact_names (hash);
create table if not exists pit_artifact_cache (
  key text primary key,
  outputs jsonb not null,
  run_id text not null,
  at bigint not null
);
`;

/** Creates the tables that are missing, one opener at a time. */
export async function createTables(sql: postgres.Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${SCHEMA_LOCK})`;
    await tx.unsafe(DDL);
  });
}

/** The columns {@link infoColumns} selects. */
export interface InfoRow {
  readonly hash: string;
  readonly size: number;
  readonly media_type: string;
  readonly created: number;
  readonly tags: string[];
  readonly produced_by: ArtifactProvenance[];
}

/** Selects an artifact row `a` as an {@link InfoRow} (bigints as numbers, provenance oldest first). */
export function infoColumns(
  sql: postgres.Sql | postgres.TransactionSql,
): postgres.PendingQuery<postgres.Row[]> {
  return sql`a.hash, a.size::float8 as size, a.media_type, a.created::float8 as created, a.tags,
    coalesce((
      select json_agg(json_build_object('runId', p.run_id, 'nodeId', p.node_id, 'port', p.port, 'inputs', p.inputs)
        order by p.seq)
      from pit_artifact_provenance p where p.hash = a.hash
    ), '[]'::json) as produced_by`;
}

/** An {@link InfoRow} as the port's ArtifactInfo. */
export function toInfo(row: InfoRow): ArtifactInfo {
  return {
    hash: row.hash as ArtifactHash,
    size: row.size,
    mediaType: row.media_type,
    created: row.created,
    tags: [...row.tags],
    producedBy: row.produced_by.map((p) => ({ ...p, inputs: [...p.inputs] })),
  };
}

/** A `pit_artifact_names` row (with `created` as a number) as an ArtifactVersion. */
export function toVersion(row: postgres.Row): ArtifactVersion {
  return { name: row.name, version: row.version, hash: row.hash, created: row.created };
}

/** Where an artifact's bytes are: its blob id (a bigint, kept as the string postgres.js gives) and chunk count. */
export interface BlobRef {
  readonly hash: ArtifactHash;
  readonly blobId: string;
  readonly chunks: number;
  readonly size: number;
}

/** Selects the blob of `hash`, or undefined. */
export async function blobOf(
  sql: postgres.Sql | postgres.TransactionSql,
  hash: ArtifactHash,
): Promise<BlobRef | undefined> {
  const [row] =
    await sql`select blob_id, chunks, size::float8 as size from pit_artifacts where hash = ${hash}`;
  return row ? { hash, blobId: String(row.blob_id), chunks: row.chunks, size: row.size } : undefined;
}
