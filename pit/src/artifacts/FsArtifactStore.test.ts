// Runs the ArtifactStore acceptance suite against FsArtifactStore, and checks what only files have:
// the sharded layout, leftovers of a crashed put, a torn metadata record, and a large blob streamed
// in and out without being held in memory.
import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactHash, RunId } from '@symphony/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalCorruptError } from '../errors.js';
import { runArtifactStoreTests } from '../testing/artifact-store-acceptance.js';
import { FsArtifactStore, ReadOnlyStoreError } from './FsArtifactStore.js';

const blobPath = (dir: string, hash: string) => join(dir, 'blobs', hash.slice(0, 2), hash);

runArtifactStoreTests('FsArtifactStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'symphony-artifacts-'));
  return {
    store: await FsArtifactStore.open(dir),
    reopen: () => FsArtifactStore.open(dir),
    corrupt: async (hash) => {
      const file = await open(blobPath(dir, hash), 'r+');
      try {
        const byte = Buffer.alloc(1);
        await file.read(byte, 0, 1, 0);
        byte[0] = byte[0]! ^ 0xff;
        await file.write(byte, 0, 1, 0);
      } finally {
        await file.close();
      }
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('FsArtifactStore on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'symphony-artifacts-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps each blob at blobs/ab/<hash>, once, and leaves no temp file behind', async () => {
    const store = await FsArtifactStore.open(dir);
    const info = await store.put('sharded', { mediaType: 'text/plain' });
    const path = blobPath(dir, info.hash);
    expect((await stat(path)).size).toBe(7);
    const inode = (await stat(path)).ino;
    await store.put('sharded', { mediaType: 'text/plain', tags: ['again'] });
    // Identical bytes are not written again: the same file, and no second blob.
    expect((await stat(path)).ino).toBe(inode);
    expect(await readdir(join(dir, 'blobs', info.hash.slice(0, 2)))).toEqual([info.hash]);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    await store.close();
  });

  it('removes a temp file left by a crash mid-put at open and never counts it as an artifact', async () => {
    const store = await FsArtifactStore.open(dir);
    const kept = await store.put('kept', { mediaType: 'text/plain' });
    await store.close();
    // What kill -9 during a put leaves: half a blob in tmp/, from a process that is gone (pids
    // above Linux's pid_max, 2^22, are never alive), and one not even named like a temp file.
    await writeFile(join(dir, 'tmp', '4194999-1-deadbeef'), Buffer.alloc(4096, 7));
    await writeFile(join(dir, 'tmp', 'partial'), 'half');
    const reopened = await FsArtifactStore.open(dir);
    expect(reopened.recovered.removedTemps).toBe(2);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect((await reopened.list()).map((a) => a.hash)).toEqual([kept.hash]);
    expect((await reopened.verify()).corrupt).toEqual([]);
    await reopened.close();
  });

  it('drops a torn last metadata record and keeps every whole one', async () => {
    const store = await FsArtifactStore.open(dir);
    const kept = await store.put('whole', { mediaType: 'text/plain', name: 'whole' });
    await store.close();
    await appendFile(join(dir, 'meta.log'), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 9, 9]));
    const reopened = await FsArtifactStore.open(dir);
    expect(reopened.recovered.tornBytes).toBe(10);
    expect((await reopened.versions('whole')).map((v) => v.hash)).toEqual([kept.hash]);
    const next = await reopened.put('after the tear', { mediaType: 'text/plain' });
    await reopened.close();
    const again = await FsArtifactStore.open(dir);
    expect((await again.list()).map((a) => a.hash)).toEqual([next.hash, kept.hash]);
    await again.close();
  });

  it('refuses a metadata log damaged before its end, rather than drop the records after the damage', async () => {
    const store = await FsArtifactStore.open(dir);
    await store.put('first', { mediaType: 'text/plain' });
    await store.put('second', { mediaType: 'text/plain' });
    await store.close();
    const file = await open(join(dir, 'meta.log'), 'r+');
    try {
      // A byte inside the first record's JSON: its checksum fails, and a whole record follows it.
      await file.write(Buffer.from('#'), 0, 1, 12);
    } finally {
      await file.close();
    }
    await expect(FsArtifactStore.open(dir)).rejects.toBeInstanceOf(JournalCorruptError);
  });

  it('opens read-only beside a writer: changes nothing on disk and refuses writes', async () => {
    const writer = await FsArtifactStore.open(dir);
    const info = await writer.put('shared', { mediaType: 'text/plain' });
    await writeFile(join(dir, 'tmp', '4194999-1-deadbeef'), 'a put in progress elsewhere');
    await appendFile(join(dir, 'meta.log'), Buffer.from([200, 0, 0, 0, 1, 2]));
    const logSize = (await stat(join(dir, 'meta.log'))).size;
    const reader = await FsArtifactStore.open(dir, { readOnly: true });
    expect(Buffer.from(await reader.get(info.hash)).toString()).toBe('shared');
    expect((await reader.search('shared')).map((hit) => hit.hash)).toEqual([info.hash]);
    await expect(reader.put('more', { mediaType: 'text/plain' })).rejects.toBeInstanceOf(ReadOnlyStoreError);
    await expect(reader.name('n', info.hash)).rejects.toBeInstanceOf(ReadOnlyStoreError);
    await expect(
      reader.remember(info.hash, { outputs: {}, runId: 'run_readonly1' as RunId, at: 0 }),
    ).rejects.toBeInstanceOf(ReadOnlyStoreError);
    await reader.close();
    expect(await readdir(join(dir, 'tmp'))).toEqual(['4194999-1-deadbeef']);
    expect((await stat(join(dir, 'meta.log'))).size).toBe(logSize);
    await writer.close();
  });

  it('refuses a metadata log whose whole record is not metadata', async () => {
    const store = await FsArtifactStore.open(dir);
    await store.put('fine', { mediaType: 'text/plain' });
    await store.close();
    const { AppendLog } = await import('../append-log.js');
    const log = new AppendLog(join(dir, 'meta.log'));
    await log.append([Buffer.from('{"type":"mystery"}')]);
    await log.close();
    await expect(FsArtifactStore.open(dir)).rejects.toBeInstanceOf(JournalCorruptError);
  });

  it('reports a blob that vanished as missing, and reading it as not found', async () => {
    const store = await FsArtifactStore.open(dir);
    const info = await store.put('soon gone', { mediaType: 'text/plain' });
    await rm(blobPath(dir, info.hash));
    expect(await store.verify()).toEqual({ checked: 1, corrupt: [{ hash: info.hash, problem: 'missing' }] });
    await expect(store.get(info.hash)).rejects.toMatchObject({ name: 'ArtifactNotFoundError' });
    // Putting the bytes again brings the blob back.
    await store.put('soon gone', { mediaType: 'text/plain' });
    expect(Buffer.from(await store.get(info.hash)).toString()).toBe('soon gone');
    await store.close();
  });

  it('streams a 384 MiB artifact in and out with memory that does not grow with its size', async () => {
    const store = await FsArtifactStore.open(dir);
    const chunk = 1024 * 1024;
    const chunks = 384;
    // Generated on the fly: one 1 MiB buffer, rewritten before each chunk.
    const expected = createHash('sha256');
    const buffer = Buffer.alloc(chunk);
    async function* generate(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < chunks; i++) {
        buffer.fill(i & 0xff);
        buffer.writeUInt32LE(i, 0);
        expected.update(buffer);
        yield buffer;
      }
    }
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sample = () => {
      peak = Math.max(peak, process.memoryUsage().rss);
    };
    const info = await store.put(
      (async function* () {
        for await (const piece of generate()) {
          sample();
          yield piece;
        }
      })(),
      { mediaType: 'application/octet-stream' },
    );
    expect(info.hash).toBe(expected.digest('hex') as ArtifactHash);
    expect(info.size).toBe(chunk * chunks);
    const read = createHash('sha256');
    let size = 0;
    for await (const piece of store.stream(info.hash)) {
      read.update(piece);
      size += piece.length;
      sample();
    }
    expect(size).toBe(chunk * chunks);
    expect(read.digest('hex')).toBe(info.hash);
    // Holding the artifact would add 384 MiB. Streaming keeps a chunk or two alive, plus the read
    // chunks the GC has not collected yet: V8 collects once external memory grows by about 64 MiB,
    // so that part stays near 64 MiB whatever the artifact's size (measured: 2 MiB in, 70 MiB out).
    expect(peak - baseline).toBeLessThan(128 * 1024 * 1024);
    expect((await store.verify()).corrupt).toEqual([]);
    await store.close();
  }, 240_000);
});
