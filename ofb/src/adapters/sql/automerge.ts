// automerge-repo's chunks in SQL: the AutomergeStore role of SqlOfbStore.
import type { AutomergeChunkRecord, AutomergeStore } from '../../OfbStore.js';
import type { SqlDriver } from '../SqlDriver.js';
import { bytes, param, prefixMatch } from './rows.js';

/** {@link AutomergeStore} over a {@link SqlDriver}. */
export class SqlAutomergeStore implements AutomergeStore {
  constructor(private readonly db: SqlDriver) {}

  async saveAutomergeChunks(chunks: readonly AutomergeChunkRecord[]): Promise<void> {
    if (chunks.length === 0) return;
    // The last chunk of a key wins, as if each were saved in turn (ON CONFLICT cannot touch a row twice).
    const byKey = new Map(chunks.map((c) => [JSON.stringify(c.key), c]));
    const unique = [...byKey.values()];
    const values = unique.map((_, i) => `($${3 * i + 1}::text[], $${3 * i + 2}, $${3 * i + 3})`).join(', ');
    await this.db.query(
      `insert into automerge_chunks (key, document_id, bytes) values ${values}
       on conflict (key) do update set bytes = excluded.bytes, document_id = excluded.document_id`,
      unique.flatMap((c) => [[...c.key], c.documentId, param(c.bytes)]),
    );
  }

  async loadAutomergeChunk(key: readonly string[]): Promise<Uint8Array | null> {
    const rows = await this.db.query<{ bytes: unknown }>(
      'select bytes from automerge_chunks where key = $1::text[]',
      [[...key]],
    );
    return rows[0] ? bytes(rows[0].bytes) : null;
  }

  async loadAutomergeRange(prefix: readonly string[]): Promise<AutomergeChunkRecord[]> {
    const rows = await this.db.query<{ key: string[]; document_id: unknown; bytes: unknown }>(
      `select key, document_id, bytes from automerge_chunks where ${prefixMatch} order by seq`,
      [[...prefix]],
    );
    return rows.map((r) => ({
      key: [...r.key],
      documentId: r.document_id === null ? null : String(r.document_id),
      bytes: bytes(r.bytes),
    }));
  }

  async removeAutomergeChunks(keys: readonly (readonly string[])[]): Promise<number> {
    if (keys.length === 0) return 0;
    const list = keys.map((_, i) => `$${i + 1}::text[]`).join(', ');
    const rows = await this.db.query(
      `delete from automerge_chunks where key in (${list}) returning 1`,
      keys.map((k) => [...k]),
    );
    return rows.length;
  }

  async removeAutomergeRange(prefix: readonly string[]): Promise<number> {
    const rows = await this.db.query(`delete from automerge_chunks where ${prefixMatch} returning 1`, [
      [...prefix],
    ]);
    return rows.length;
  }

  async storedAutomergeBytes(documentId: string): Promise<number> {
    const rows = await this.db.query<{ n: unknown }>(
      `select coalesce(sum(octet_length(bytes)), 0) as n from automerge_chunks
       where document_id = $1 and key[2] is distinct from 'sync-state'`,
      [documentId],
    );
    return Number(rows[0]!.n);
  }
}
