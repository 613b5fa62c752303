// Runs the ArtifactStore acceptance suite against PostgresArtifactStore on a real PostgreSQL that the
// test starts itself, and checks what only the database has: blobs in 1 MiB chunk rows, and two
// stores on one database seeing each other's artifacts.
import { type PostgresServer, startPostgres } from '@symphony/ofb/testing';
import type { ArtifactHash } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresArtifactStore } from '../src/artifacts/PostgresArtifactStore.js';
import { patternBytes, runArtifactStoreTests } from '../src/testing/artifact-store-acceptance.js';

let server: PostgresServer | undefined;
let databases = 0;
beforeAll(async () => {
  server = await startPostgres();
}, 120_000);
afterAll(() => server?.stop());

function freshDatabase(): Promise<string> {
  if (!server) throw new Error('PostgreSQL did not start; see the beforeAll error above');
  return server.createDatabase(`artifacts_${++databases}`);
}

/** Flips the first byte of the first chunk of `hash`'s blob. */
async function corrupt(store: PostgresArtifactStore, hash: ArtifactHash): Promise<void> {
  await store.sql`
    update pit_artifact_chunks set bytes = set_byte(bytes, 0, get_byte(bytes, 0) # 255)
    where blob_id = (select blob_id from pit_artifacts where hash = ${hash}) and n = 0`;
}

runArtifactStoreTests('PostgresArtifactStore', async () => {
  const url = await freshDatabase();
  let current = await PostgresArtifactStore.open(url);
  return {
    store: current,
    reopen: async () => {
      current = await PostgresArtifactStore.open(url);
      return current;
    },
    corrupt: (hash) => corrupt(current, hash),
    cleanup: async () => {},
  };
});

describe('PostgresArtifactStore in the database', () => {
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase();
  }, 60_000);

  it('keeps a blob as 1 MiB chunk rows and stores identical bytes once', async () => {
    const store = await PostgresArtifactStore.open(url);
    try {
      const bytes = patternBytes('chunks', 2.5 * 1024 * 1024);
      const info = await store.put(bytes, { mediaType: 'application/octet-stream' });
      await store.put(bytes, { mediaType: 'application/octet-stream', tags: ['again'] });
      const rows = await store.sql`
        select c.n, length(c.bytes) as length from pit_artifact_chunks c
        join pit_artifacts a on a.blob_id = c.blob_id where a.hash = ${info.hash} order by c.n`;
      expect(rows.map((row) => [row.n, row.length])).toEqual([
        [0, 1048576],
        [1, 1048576],
        [2, 524288],
      ]);
      const [{ blobs }] =
        await store.sql`select count(distinct blob_id)::int as blobs from pit_artifact_chunks`;
      expect(blobs).toBe(1);
      expect((await store.info(info.hash))!.tags).toEqual(['again']);
    } finally {
      await store.close();
    }
  });

  it('lets two stores on one database see each other’s artifacts, names and search', async () => {
    const one = await PostgresArtifactStore.open(url);
    const two = await PostgresArtifactStore.open(url);
    try {
      expect(await two.search('albatross')).toEqual([]);
      const info = await one.put('an albatross appears', { mediaType: 'text/plain', name: 'shared/bird' });
      expect(Buffer.from(await two.get(info.hash)).toString()).toBe('an albatross appears');
      expect((await two.versions('shared/bird')).map((v) => v.version)).toEqual([1]);
      expect((await two.search('albatross')).map((hit) => hit.hash)).toEqual([info.hash]);
      await two.name('shared/bird', info.hash);
      expect((await one.versions('shared/bird')).map((v) => v.version)).toEqual([1, 2]);
      expect((await one.search('bird'))[0]?.names).toEqual(['shared/bird']);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
