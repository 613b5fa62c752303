// The append log: checksummed records in one file, fsynced before an append resolves, with group
// commit. One implementation for the run journal, the artifact store's metadata and the sync-server's
// document logs.
import { createHash } from 'node:crypto';
import { type FileHandle, open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Record header: 4 bytes length + 4 bytes checksum, little-endian. */
export const RECORD_HEADER_BYTES = 8;

/** The first 4 bytes of the SHA-256 of `bytes`, as a little-endian number: a record's checksum. */
export function recordChecksum(bytes: Uint8Array): number {
  return createHash('sha256').update(bytes).digest().readUInt32LE(0);
}

/** `records` framed as `[length][checksum][bytes]` each, back to back. */
export function encodeRecords(records: readonly Uint8Array[]): Buffer {
  const total = records.reduce((n, r) => n + RECORD_HEADER_BYTES + r.length, 0);
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const record of records) {
    out.writeUInt32LE(record.length, pos);
    out.writeUInt32LE(recordChecksum(record), pos + 4);
    out.set(record, pos + RECORD_HEADER_BYTES);
    pos += RECORD_HEADER_BYTES + record.length;
  }
  return out;
}

/**
 * The records of a log, up to the first torn or corrupt one: `validBytes` is where the intact
 * prefix ends (a crash mid-append leaves a record whose length runs past the end, or whose bytes
 * fail the checksum; nothing after it can be framed, so it is where the log is cut).
 */
export function decodeRecords(log: Uint8Array): { records: Uint8Array[]; validBytes: number } {
  const view = Buffer.from(log.buffer, log.byteOffset, log.byteLength);
  const records: Uint8Array[] = [];
  let pos = 0;
  while (pos + RECORD_HEADER_BYTES <= view.length) {
    const length = view.readUInt32LE(pos);
    const sum = view.readUInt32LE(pos + 4);
    const end = pos + RECORD_HEADER_BYTES + length;
    if (end > view.length) break;
    const record = view.subarray(pos + RECORD_HEADER_BYTES, end);
    if (recordChecksum(record) !== sum) break;
    records.push(new Uint8Array(record));
    pos = end;
  }
  return { records, validBytes: pos };
}

/** What {@link readAppendLog} found: the intact records, and how many torn bytes it cut off. */
export interface AppendLogContents {
  readonly records: Uint8Array[];
  /** Bytes after the intact prefix that were dropped (and truncated from the file); 0 when clean. */
  readonly droppedBytes: number;
}

/**
 * Reads the log at `path` (no file: no records). A torn or corrupt tail is cut off the file, so the
 * next append follows the last intact record; `droppedBytes` says how much was lost.
 */
export async function readAppendLog(path: string): Promise<AppendLogContents> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], droppedBytes: 0 };
    throw e;
  }
  const { records, validBytes } = decodeRecords(bytes);
  if (validBytes < bytes.length) await truncate(path, validBytes);
  return { records, droppedBytes: bytes.length - validBytes };
}

/** Fsyncs a directory, so a file created (or renamed) in it survives a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

interface Pending {
  readonly bytes: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One append-only log file, kept open. `append` resolves once its records are on disk (written and
 * `fdatasync`ed); appends that arrive while a write is in flight are written and synced together in
 * the next one (group commit), so N concurrent appenders cost about one fsync per round, not N.
 * Appends land in call order. Read it back with {@link readAppendLog} (which cuts a torn tail).
 */
export class AppendLog {
  #handle: Promise<FileHandle> | undefined;
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;
  #created = false;
  /** Bytes in the file that are whole records: where a failed write is cut back to. */
  #size = 0;
  #broken: Error | undefined;

  /** `syncDir`: fsync the parent folder once when the file is first created (a new log must survive a crash). */
  constructor(
    readonly path: string,
    private readonly options: { syncDir?: boolean } = {},
  ) {}

  /** Appends `records` and resolves once they are durable. */
  append(records: readonly Uint8Array[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`append log ${this.path} is closed`));
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ bytes: encodeRecords(records), resolve, reject });
      if (!this.#flushing) this.#flushing = this.#flush();
    });
  }

  /** Waits for appends in flight, then closes the file. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#flushing) await this.#flushing;
    if (this.#handle) await (await this.#handle).close();
    this.#handle = undefined;
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      if (this.#broken) {
        for (const pending of batch) pending.reject(this.#broken);
        continue;
      }
      const handle = await this.#open().catch((error: unknown) => error as Error);
      if (handle instanceof Error) {
        this.#handle = undefined;
        for (const pending of batch) pending.reject(handle);
        continue;
      }
      const bytes = batch.length === 1 ? batch[0]!.bytes : Buffer.concat(batch.map((p) => p.bytes));
      try {
        await handle.write(bytes);
        await handle.datasync();
        if (!this.#created && this.options.syncDir) {
          await syncDirectory(dirname(this.path));
          this.#created = true;
        }
        this.#size += bytes.length;
        for (const pending of batch) pending.resolve();
      } catch (error) {
        for (const pending of batch) pending.reject(error);
        // Part of the batch may be on disk: cut it, so records appended later are not stranded
        // behind a torn one. If even that fails, refuse every later append rather than risk it.
        await handle
          .truncate(this.#size)
          .then(() => handle.datasync())
          .catch((cause: unknown) => {
            this.#broken = new Error(`append log ${this.path} could not be repaired after a failed write`, {
              cause,
            });
          });
      }
    }
    this.#flushing = undefined;
  }

  #open(): Promise<FileHandle> {
    this.#handle ??= open(this.path, 'a').then(async (handle) => {
      this.#size = (await handle.stat()).size;
      return handle;
    });
    return this.#handle;
  }
}
