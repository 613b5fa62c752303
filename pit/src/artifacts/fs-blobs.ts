// FsBlobs: FsArtifactStore's bytes on disk. Each blob is a file `blobs/ab/<hash>`, written to a
// temp file in `tmp/`, fsynced, then renamed into its shard (whose folder is fsynced by the caller,
// beside its metadata append). Reads hash as they go and never hand back bytes that do not match.
import { createHash, randomBytes } from 'node:crypto';
import { constants, readFileSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ArtifactHash } from '@symphony/schemas';
import { syncDirectory } from '../append-log.js';
import { ArtifactCorruptError, ArtifactNotFoundError, parseInput } from '../errors.js';
import { CHUNK_BYTES, decodeText, sha256Hex } from './content.js';
import { ArtifactChunkInput } from './input.js';

/**
 * 1 MiB: from this size on, a put writes the temp file while it hashes (the write runs on libuv's
 * pool, the hash on this thread); below it, hashing first lets a duplicate skip the write entirely.
 */
const OVERLAP_BYTES = 1024 * 1024;
/** `O_DSYNC` where the platform has it: a small blob's one write returns durable, saving the fdatasync round trip. */
const O_DSYNC: number | undefined = constants.O_DSYNC;
const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
/** 64 KiB: texts up to this size are read synchronously while the search index builds. */
const SYNC_TEXT_BYTES = 64 * 1024;
/**
 * 4 MiB reads: each is hashed while the next one is read, so reading a large blob costs about its
 * hashing alone (measured here: 64 MB read and verified in about the time of a bare `readFile`;
 * smaller reads lose more to round trips through libuv's pool than they gain in overlap).
 */
const READ_BYTES = 4 * 1024 * 1024;

/** What a write left to do: the shard folder to fsync before the new blob's name is durable, if any. */
export interface WrittenBlob {
  readonly hash: ArtifactHash;
  readonly size: number;
  /** The shard folder the blob was renamed into; undefined when the bytes were already stored intact. */
  readonly renamedInto: string | undefined;
}

/** The blob files of one store folder. One process writes a folder at a time. */
export class FsBlobs {
  /** Shard folders known to exist, so most puts skip `mkdir`. */
  readonly #shards = new Set<string>();
  /** Fsyncs of the parents of shard folders just created: a put into one is durable once its one is done. */
  readonly #creating = new Map<string, Promise<void>>();
  /** The newest fsync of each shard folder: a duplicate put waits for it before it calls its bytes durable. */
  readonly #syncs = new Map<string, Promise<void>>();
  #tempCount = 0;
  /** Keeps temp names unique between stores open in one process (the pid and counter alone are not). */
  readonly #tempTag = randomBytes(4).toString('hex');

  private constructor(
    readonly blobsDir: string,
    readonly tmpDir: string,
  ) {}

  /**
   * Opens the blobs of store folder `root`, creating `blobs/` and `tmp/`. A temp file left by a
   * crash mid-put is never an artifact (only a rename makes one), so it is removed; temp files of
   * processes still alive (a run putting while `symphony artifacts ls` opens the store) are left be.
   * `readOnly` changes nothing on disk. Resolves to the blobs and how many leftovers were removed.
   */
  static async open(
    root: string,
    options: { readOnly: boolean },
  ): Promise<{ blobs: FsBlobs; removedTemps: number }> {
    const blobs = new FsBlobs(join(root, 'blobs'), join(root, 'tmp'));
    if (options.readOnly) return { blobs, removedTemps: 0 };
    const created = await mkdir(blobs.blobsDir, { recursive: true });
    await mkdir(blobs.tmpDir, { recursive: true });
    if (created !== undefined) {
      // A new store makes its 256 outer shards now, so a put into a new shard creates one folder, not two.
      await Promise.all(
        Array.from({ length: 256 }, (_, i) => mkdir(join(blobs.blobsDir, i.toString(16).padStart(2, '0')))),
      );
      await Promise.all([syncDirectory(blobs.blobsDir), syncDirectory(root)]);
    }
    const leftovers = (await readdir(blobs.tmpDir)).filter((name) => !writtenByLiveProcess(name));
    await Promise.all(
      leftovers.map((name) => rm(join(blobs.tmpDir, name), { force: true, recursive: true })),
    );
    return { blobs, removedTemps: leftovers.length };
  }

  /** Where the blob of `hash` lives: `blobs/ab/<hash>`. */
  path(hash: ArtifactHash): string {
    return join(this.blobsDir, hash.slice(0, 2), hash);
  }

  /**
   * Stores `bytes` unless `known(hash)` and the stored copy is intact (a damaged copy is replaced).
   * The temp file is fsynced before its rename; the caller fsyncs `renamedInto` with {@link syncShard}.
   */
  async writeBytes(bytes: Uint8Array, known: (hash: ArtifactHash) => boolean): Promise<WrittenBlob> {
    if (bytes.length < OVERLAP_BYTES) {
      const hash = sha256Hex(bytes);
      if (known(hash) && (await this.#intactAfterSync(hash, bytes.length))) {
        return { hash, size: bytes.length, renamedInto: undefined };
      }
      const temp = await this.#temp(O_DSYNC);
      const written = writeAll(temp.handle, bytes);
      await temp.settle(O_DSYNC === undefined ? written.then(() => temp.handle.datasync()) : written);
      return this.#keep(temp, hash, bytes.length);
    }
    // Large: the temp file is written and fsynced in libuv's pool while this thread hashes.
    const temp = await this.#temp();
    const durable = writeAll(temp.handle, bytes).then(() => temp.handle.datasync());
    const hash = sha256Hex(bytes);
    await temp.settle(durable);
    return this.#keepUnlessStored(temp, hash, bytes.length, known);
  }

  /** Streams `chunks` into a temp file while hashing them; then stores it as {@link writeBytes} would. */
  async writeStream(
    chunks: AsyncIterable<Uint8Array>,
    known: (hash: ArtifactHash) => boolean,
  ): Promise<WrittenBlob> {
    const temp = await this.#temp();
    const digest = createHash('sha256');
    let size = 0;
    const write = async () => {
      for await (const chunk of chunks) {
        parseInput('ArtifactStore.put', ArtifactChunkInput, chunk);
        const written = writeAll(temp.handle, chunk);
        digest.update(chunk);
        size += chunk.length;
        await written;
      }
      await temp.handle.datasync();
    };
    await temp.settle(write());
    return this.#keepUnlessStored(temp, digest.digest('hex') as ArtifactHash, size, known);
  }

  /**
   * Fsyncs the shard folder a write renamed into (with its parent's fsync when the shard is new);
   * a duplicate put of a blob in that shard waits for it before it calls its bytes durable.
   */
  syncShard(written: WrittenBlob): Promise<void> {
    const dir = written.renamedInto;
    if (dir === undefined) return Promise.resolve();
    const sync = Promise.all([syncDirectory(dir), this.#creating.get(dir)]).then(() => undefined);
    this.#syncs.set(dir, sync);
    void sync
      .catch(() => undefined)
      .then(() => {
        if (this.#syncs.get(dir) === sync) this.#syncs.delete(dir);
      });
    return sync;
  }

  /** The bytes of `hash` (`size` of them), hashed while read. */
  async read(hash: ArtifactHash, size: number): Promise<Uint8Array> {
    const handle = await this.#open(hash);
    try {
      const out = Buffer.allocUnsafe(size);
      const digest = createHash('sha256');
      let pos = 0;
      let pending = size > 0 ? handle.read(out, 0, Math.min(READ_BYTES, size), 0) : undefined;
      while (pending) {
        const { bytesRead } = await pending;
        const start = pos;
        pos += bytesRead;
        pending =
          bytesRead > 0 && pos < size
            ? handle.read(out, pos, Math.min(READ_BYTES, size - pos), pos)
            : undefined;
        digest.update(out.subarray(start, pos));
      }
      const actual = digest.digest('hex');
      if (actual !== hash) throw new ArtifactCorruptError(hash, actual);
      return out;
    } finally {
      await handle.close();
    }
  }

  /** The raw chunks of `hash`'s file (not verified: pass them through `verifiedChunks`). */
  async *chunks(hash: ArtifactHash): AsyncGenerator<Uint8Array, void, undefined> {
    const handle = await this.#open(hash);
    try {
      let pos = 0;
      for (;;) {
        const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, pos);
        if (bytesRead === 0) return;
        pos += bytesRead;
        yield bytesRead === CHUNK_BYTES ? buffer : buffer.subarray(0, bytesRead);
      }
    } finally {
      await handle.close();
    }
  }

  /** Whether the blob of `hash` (`size` bytes) is there and still hashes to it; reads with one reused buffer. */
  async check(hash: ArtifactHash, size: number): Promise<'ok' | 'missing' | 'mismatch'> {
    let handle: FileHandle;
    try {
      handle = await this.#open(hash);
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return 'missing';
      throw error;
    }
    try {
      const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(READ_BYTES, size)));
      const digest = createHash('sha256');
      let pos = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, pos);
        if (bytesRead === 0) break;
        digest.update(buffer.subarray(0, bytesRead));
        pos += bytesRead;
      }
      return digest.digest('hex') === hash ? 'ok' : 'mismatch';
    } finally {
      await handle.close();
    }
  }

  /**
   * The text of `hash` for the search index: at most 1 MiB; undefined when the blob is missing or,
   * for a blob within that size (checked whole), corrupt. A longer one is indexed by its first MiB unchecked.
   */
  async text(hash: ArtifactHash, size: number): Promise<string | undefined> {
    try {
      if (size <= SYNC_TEXT_BYTES) {
        // Building the index blocks this thread anyway; a small read is quicker done here than
        // through three round trips to libuv's pool (100,000 of them are the whole build).
        const bytes = readFileSync(this.path(hash));
        return sha256Hex(bytes) === hash ? decodeText(bytes) : undefined;
      }
      if (size <= CHUNK_BYTES) return decodeText(await this.read(hash, size));
      const handle = await this.#open(hash);
      try {
        const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, 0);
        return decodeText(buffer.subarray(0, bytesRead));
      } finally {
        await handle.close();
      }
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (missing || error instanceof ArtifactNotFoundError || error instanceof ArtifactCorruptError)
        return undefined;
      throw error;
    }
  }

  /** Discards the fsynced temp file when an intact copy is stored already, else keeps it. */
  async #keepUnlessStored(
    temp: TempFile,
    hash: ArtifactHash,
    size: number,
    known: (hash: ArtifactHash) => boolean,
  ): Promise<WrittenBlob> {
    if (known(hash) && (await this.#intactAfterSync(hash, size))) {
      await temp.discard();
      return { hash, size, renamedInto: undefined };
    }
    return this.#keep(temp, hash, size);
  }

  /** Closes the fsynced temp file and renames it to the blob of `hash`. */
  async #keep(temp: TempFile, hash: ArtifactHash, size: number): Promise<WrittenBlob> {
    await temp.settle(temp.handle.close());
    return { hash, size, renamedInto: await this.#commit(temp.path, hash) };
  }

  /** Whether a stored copy of `hash` is intact, once the fsync of its shard (if one is running) is done. */
  async #intactAfterSync(hash: ArtifactHash, size: number): Promise<boolean> {
    if ((await this.check(hash, size)) !== 'ok') return false;
    await this.#syncs.get(dirname(this.path(hash)))?.catch(() => undefined);
    return true;
  }

  /** Renames the fsynced temp file to the blob's place; returns the shard folder to fsync. */
  async #commit(tempPath: string, hash: ArtifactHash): Promise<string> {
    const target = this.path(hash);
    const shard = dirname(target);
    try {
      await this.#ensureShard(shard);
      await rename(tempPath, target);
      return shard;
    } catch (error) {
      await rm(tempPath, { force: true });
      throw error;
    }
  }

  /**
   * Creates a shard folder on first use and starts the fsync of the parents of what it created
   * (`blobs/ab` for a new `cd`, and `blobs/` when `ab` was missing too), which {@link syncShard} awaits.
   */
  async #ensureShard(shard: string): Promise<void> {
    if (this.#shards.has(shard)) return;
    const first = await mkdir(shard, { recursive: true });
    this.#shards.add(shard);
    if (first === undefined) return;
    const outer = dirname(shard);
    const parents = first === outer ? [outer, this.blobsDir] : [outer];
    const created = Promise.all(parents.map(syncDirectory)).then(() => undefined);
    this.#creating.set(shard, created);
    void created.catch(() => undefined).then(() => this.#creating.delete(shard));
  }

  async #open(hash: ArtifactHash): Promise<FileHandle> {
    try {
      return await open(this.path(hash), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactNotFoundError(hash);
      throw error;
    }
  }

  /** A new temp file, opened with `extraFlags` (`O_DSYNC` for a blob written in one go). */
  async #temp(extraFlags = 0): Promise<TempFile> {
    const path = join(this.tmpDir, `${process.pid}-${++this.#tempCount}-${this.#tempTag}`);
    const handle = await open(path, TEMP_FLAGS | extraFlags, 0o666);
    const discard = async () => {
      await handle.close().catch(() => undefined);
      await rm(path, { force: true });
    };
    return {
      path,
      handle,
      discard,
      async settle(work) {
        try {
          await work;
        } catch (error) {
          await discard();
          throw error;
        }
      },
    };
  }
}

/** Whether temp file `name` (`<pid>-<n>-<random>`) belongs to a process that is still running. */
function writtenByLiveProcess(name: string): boolean {
  const pid = Number(/^(\d+)-/.exec(name)?.[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but is someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface TempFile {
  readonly path: string;
  readonly handle: FileHandle;
  /** Closes and removes the temp file (a failed or duplicate put). */
  discard(): Promise<void>;
  /** Awaits `work` on the temp file; if it fails, discards the file and rethrows. */
  settle(work: Promise<unknown>): Promise<void>;
}

/** Writes all of `bytes` at the file's current position (a write may take less than it was given). */
async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}
