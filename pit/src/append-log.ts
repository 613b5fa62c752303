// The append log: checksummed records in one file, fsynced before an append resolves, with group
// commit. One implementation for the run journal, the artifact store's metadata and the sync-server's
// document logs.
import { hash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JournalCorruptError } from './errors.js';

/**
 * Where the platform has it (Linux, macOS), the log is opened with `O_DSYNC`: each write returns
 * once its bytes are durable, as write + `fdatasync` would, in one system call instead of two (one
 * trip to libuv's thread pool, not two). Elsewhere each write is followed by `fdatasync`.
 */
const O_DSYNC: number | undefined = constants.O_DSYNC;
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (O_DSYNC ?? 0);
const REPAIR_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | (O_DSYNC ?? 0);

/** Record header: 4 bytes length + 4 bytes checksum, little-endian. */
export const RECORD_HEADER_BYTES = 8;

/** The first 4 bytes of the SHA-256 of `bytes`, as a little-endian number: a record's checksum. */
export function recordChecksum(bytes: Uint8Array): number {
  return hash('sha256', bytes, 'buffer').readUInt32LE(0);
}

/** `records` framed as `[length][checksum][bytes]` each, back to back. */
export function encodeRecords(records: readonly Uint8Array[]): Buffer {
  let total = 0;
  for (const record of records) total += RECORD_HEADER_BYTES + record.length;
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
 * fail the checksum; nothing after it can be framed, so it is where the log is cut). Each record is
 * a copy, independent of `log`.
 */
export function decodeRecords(log: Uint8Array): { records: Uint8Array[]; validBytes: number } {
  const records: Uint8Array[] = [];
  const validBytes = scanRecords(log, (record) => records.push(new Uint8Array(record)));
  return { records, validBytes };
}

/** Walks the intact records of `log` (views into it, not copies); returns where the intact prefix ends. */
function scanRecords(log: Uint8Array, onRecord?: (record: Buffer) => void): number {
  const view = Buffer.from(log.buffer, log.byteOffset, log.byteLength);
  let pos = 0;
  while (pos + RECORD_HEADER_BYTES <= view.length) {
    const length = view.readUInt32LE(pos);
    const sum = view.readUInt32LE(pos + 4);
    const end = pos + RECORD_HEADER_BYTES + length;
    if (end > view.length) break;
    const record = view.subarray(pos + RECORD_HEADER_BYTES, end);
    if (recordChecksum(record) !== sum) break;
    onRecord?.(record);
    pos = end;
  }
  return pos;
}

/**
 * Whether the bytes after `validBytes` (where {@link decodeRecords} stopped) are one incomplete last
 * record, as a crash during a write leaves it, rather than a damaged record with more after it.
 */
export function isTornTail(log: Uint8Array, validBytes: number): boolean {
  if (validBytes + RECORD_HEADER_BYTES > log.byteLength) return true;
  const view = Buffer.from(log.buffer, log.byteOffset, log.byteLength);
  return validBytes + RECORD_HEADER_BYTES + view.readUInt32LE(validBytes) >= log.byteLength;
}

/**
 * How many records are framed in `log` from byte `from` on, counting by their length headers only
 * (checksums are not checked): with `from` at a damaged record, how many records the damage and
 * what follows it hold, as far as the framing can tell.
 */
export function framedRecordCount(log: Uint8Array, from: number): number {
  const view = Buffer.from(log.buffer, log.byteOffset, log.byteLength);
  let count = 0;
  for (let pos = from; pos + RECORD_HEADER_BYTES <= view.length; count++) {
    const end = pos + RECORD_HEADER_BYTES + view.readUInt32LE(pos);
    if (end > view.length) break;
    pos = end;
  }
  return count;
}

/** Where a log is damaged before its end (see {@link isTornTail}): what {@link AppendLogOptions.damaged} is told. */
export interface AppendLogDamage {
  readonly path: string;
  /** Bytes of intact records before the damage. */
  readonly keptBytes: number;
  /** Intact records before the damage (the damaged one is record `keptRecords + 1`, counting from 1). */
  readonly keptRecords: number;
  /** Records the file holds as far as its framing tells (intact, damaged and after). */
  readonly framedRecords: number;
  readonly fileBytes: number;
}

/** What {@link readAppendLog} found: the intact records, and how many torn bytes it cut off. */
export interface AppendLogContents {
  readonly records: Uint8Array[];
  /** Bytes after the intact prefix that were dropped (and truncated from the file); 0 when clean. */
  readonly droppedBytes: number;
}

/**
 * Reads the log at `path` (no file: no records). A torn or corrupt tail is cut off the file (and the
 * cut fsynced), so the next append follows the last intact record; `droppedBytes` says how much was
 * lost. Pass `{ truncate: false }` to only read: a process that does not own the log must not cut
 * it, since the tail it sees may be a record its writer is appending at that instant.
 */
export async function readAppendLog(
  path: string,
  options: { truncate?: boolean } = {},
): Promise<AppendLogContents> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], droppedBytes: 0 };
    throw e;
  }
  const { records, validBytes } = decodeRecords(bytes);
  if (validBytes < bytes.length && options.truncate !== false) await truncateDurably(path, validBytes);
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

async function truncateDurably(path: string, size: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(size);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** How an {@link AppendLog} opens its file. */
export interface AppendLogOptions {
  /** Fsync the parent folder once, after the first write: a new log must survive a crash. */
  readonly syncDir?: boolean;
  /**
   * Before the first append, read the file and cut a torn tail (an incomplete last record), so new
   * records never land behind bytes that cannot be framed; a log damaged before its end is refused
   * instead (see `damaged`). Without it the caller must have cut the tail itself. Only the process
   * that owns the log may repair it.
   */
  readonly repair?: boolean;
  /** Called when `repair` cut a tail. Must not throw. */
  readonly onRepair?: (cut: AppendLogCut) => void;
  /**
   * `repair` never cuts a log damaged before its end (a record failing its checksum with intact
   * framing after it: disk or hand damage, not a crash), since that would destroy the records
   * after the damage: the file is left as it is and every append is refused with the error this
   * returns (default: a {@link JournalCorruptError} naming the file and the record).
   */
  readonly damaged?: (damage: AppendLogDamage) => Error;
}

/** What a repair cut off a log: always a torn tail (damage before the end is refused, never cut). */
export interface AppendLogCut {
  /** Bytes of intact records kept. */
  readonly keptBytes: number;
  readonly droppedBytes: number;
  /** See {@link isTornTail}: always `true`, since a repair only cuts an incomplete last record. */
  readonly tornTail: boolean;
}

function damagedLogError(damage: AppendLogDamage): JournalCorruptError {
  return new JournalCorruptError(
    `append log ${damage.path} is damaged at record ${damage.keptRecords + 1} of ${damage.framedRecords} (byte ${damage.keptBytes} of ${damage.fileBytes}), with records after the damage; nothing was changed: restore it from a backup, or move it aside to discard it`,
  );
}

interface Pending {
  readonly bytes: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One append-only log file, kept open. `append` resolves once its records are on disk (written with
 * `O_DSYNC`, or written and `fdatasync`ed); appends that arrive while a write is in flight are
 * written and synced together in the next one (group commit), so N concurrent appenders cost about
 * one fsync per round, not N.
 * Appends land in call order. A failed write is cut back off the file, so it never strands the
 * records appended after it. Read it back with {@link readAppendLog} (which cuts a torn tail).
 */
export class AppendLog {
  #handle: Promise<FileHandle> | undefined;
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;
  #dirSynced = false;
  /** Bytes in the file that are whole records: where a failed write is cut back to. */
  #size = 0;
  #broken: Error | undefined;

  constructor(
    readonly path: string,
    private readonly options: AppendLogOptions = {},
  ) {}

  /** Appends `records` and resolves once they are durable. */
  append(records: readonly Uint8Array[]): Promise<void> {
    if (this.#closed)
      return Promise.reject(new Error(`append log ${this.path} is closed; open a new AppendLog`));
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ bytes: encodeRecords(records), resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  /** Whether no append is queued or being written. */
  get idle(): boolean {
    return this.#flushing === undefined;
  }

  /** Waits for appends in flight, then closes the file. Later appends are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#flushing) await this.#flushing;
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle) await (await handle.catch(() => undefined))?.close();
  }

  /** Writes all of `bytes` at the end of the file (a short write is continued, not dropped). */
  protected async write(handle: FileHandle, bytes: Buffer): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
  }

  /** Makes the written bytes durable: once per committed batch (nothing left to do under `O_DSYNC`). */
  protected async sync(handle: FileHandle): Promise<void> {
    if (O_DSYNC === undefined) await handle.datasync();
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        await this.#commit(batch);
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    if (this.#broken) {
      for (const pending of batch) pending.reject(this.#broken);
      return;
    }
    let handle: FileHandle;
    try {
      handle = await this.#open();
    } catch (error) {
      this.#handle = undefined;
      for (const pending of batch) pending.reject(error);
      return;
    }
    const bytes = batch.length === 1 ? batch[0]!.bytes : Buffer.concat(batch.map((p) => p.bytes));
    try {
      await this.write(handle, bytes);
      await this.sync(handle);
      if (!this.#dirSynced && this.options.syncDir) {
        await syncDirectory(dirname(this.path));
        this.#dirSynced = true;
      }
      this.#size += bytes.length;
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      // Part of the batch may be on disk: cut it, so records appended later are not stranded
      // behind a torn one. If even that fails, refuse every later append rather than risk it.
      await handle
        .truncate(this.#size)
        .then(() => handle.datasync())
        .catch((cause: unknown) => {
          this.#broken = new Error(
            `append log ${this.path} could not be repaired after a failed write; check the disk, then reopen it`,
            { cause },
          );
        });
      return;
    }
    for (const pending of batch) pending.resolve();
  }

  #open(): Promise<FileHandle> {
    this.#handle ??= this.options.repair ? this.#openRepaired() : this.#openAsIs();
    return this.#handle;
  }

  async #openAsIs(): Promise<FileHandle> {
    const handle = await open(this.path, APPEND_FLAGS, 0o666);
    try {
      this.#size = (await handle.stat()).size;
    } catch (error) {
      await handle.close();
      throw error;
    }
    return handle;
  }

  async #openRepaired(): Promise<FileHandle> {
    const handle = await open(this.path, REPAIR_FLAGS, 0o666);
    let cut: AppendLogCut | undefined;
    try {
      const bytes = await handle.readFile();
      let keptRecords = 0;
      const validBytes = scanRecords(bytes, () => keptRecords++);
      if (validBytes < bytes.length && !isTornTail(bytes, validBytes)) {
        const damage: AppendLogDamage = {
          path: this.path,
          keptBytes: validBytes,
          keptRecords,
          framedRecords: keptRecords + framedRecordCount(bytes, validBytes),
          fileBytes: bytes.length,
        };
        throw (this.options.damaged ?? damagedLogError)(damage);
      }
      if (validBytes < bytes.length) {
        await handle.truncate(validBytes);
        await handle.datasync();
        cut = {
          keptBytes: validBytes,
          droppedBytes: bytes.length - validBytes,
          tornTail: true,
        };
      }
      this.#size = validBytes;
    } catch (error) {
      await handle.close();
      throw error;
    }
    if (cut) {
      try {
        this.options.onRepair?.(cut);
      } catch {
        // A failing report must not fail the append that opened the log; the cut is already durable.
      }
    }
    return handle;
  }
}
