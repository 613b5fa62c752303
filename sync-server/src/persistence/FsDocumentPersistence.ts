// FsDocumentPersistence, the DocumentPersistence on files: a compacted state and a log of checksummed,
// fsynced update records per Document (the Pit's append-log framing, shared with the run journal).
import { mkdir, open, readdir, readFile, rename, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeRecords, encodeRecords, syncDirectory } from '@symphony/pit/append-log';
import { DocumentId } from '@symphony/schemas';
import { type Logger, silentLogger } from '../logger.js';
import type { DocumentPersistence } from './DocumentPersistence.js';

/**
 * Keeps each document in two files under one folder: `<id>.state`, the last compacted state, and
 * `<id>.log`, the updates appended since, as checksummed records. Appends are fsynced before they
 * resolve; a record torn by a crash fails its checksum and is cut off on the next load. Operations
 * on one document run one at a time, in call order.
 */
export class FsDocumentPersistence implements DocumentPersistence {
  private readonly queues = new Map<DocumentId, Promise<unknown>>();
  private readonly ready: Promise<void>;
  private readonly knownLogs = new Set<DocumentId>();

  constructor(
    private readonly dir: string,
    private readonly log: Logger = silentLogger,
  ) {
    this.ready = mkdir(dir, { recursive: true }).then(() => undefined);
  }

  load(documentId: DocumentId): Promise<Uint8Array[]> {
    return this.serially(documentId, async () => {
      const stored: Uint8Array[] = [];
      const state = await readIfExists(this.statePath(documentId));
      if (state) stored.push(state);
      const log = await readIfExists(this.logPath(documentId));
      if (log) {
        const { records, validBytes } = decodeRecords(log);
        stored.push(...records);
        if (validBytes < log.length) {
          this.log.warn('cut a torn or corrupt tail off a document log', {
            documentId,
            keptBytes: validBytes,
            droppedBytes: log.length - validBytes,
          });
          await truncate(this.logPath(documentId), validBytes);
        }
        this.knownLogs.add(documentId);
      }
      return stored;
    });
  }

  append(documentId: DocumentId, updates: readonly Uint8Array[]): Promise<void> {
    if (updates.length === 0) return Promise.resolve();
    return this.serially(documentId, async () => {
      const file = await open(this.logPath(documentId), 'a');
      try {
        await file.write(encodeRecords(updates));
        await file.datasync();
      } finally {
        await file.close();
      }
      if (!this.knownLogs.has(documentId)) {
        await this.syncDir();
        this.knownLogs.add(documentId);
      }
    });
  }

  compact(documentId: DocumentId, state: Uint8Array): Promise<void> {
    return this.serially(documentId, async () => {
      const tmp = `${this.statePath(documentId)}.tmp`;
      const file = await open(tmp, 'w');
      try {
        await file.write(state);
        await file.datasync();
      } finally {
        await file.close();
      }
      await rename(tmp, this.statePath(documentId));
      await this.syncDir();
      // A crash here leaves state + the old log: replaying updates already in the state is harmless.
      const log = await open(this.logPath(documentId), 'a');
      try {
        await log.truncate(0);
        await log.datasync();
      } finally {
        await log.close();
      }
    });
  }

  async list(): Promise<DocumentId[]> {
    await this.ready;
    const ids = new Set<DocumentId>();
    for (const name of await readdir(this.dir)) {
      const match = /^(.+)\.(state|log)$/.exec(name);
      const parsed = match ? DocumentId.safeParse(match[1]) : undefined;
      if (parsed?.success) ids.add(parsed.data);
    }
    return [...ids].sort();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()]);
  }

  private statePath(documentId: DocumentId): string {
    return join(this.dir, `${documentId}.state`);
  }

  private logPath(documentId: DocumentId): string {
    return join(this.dir, `${documentId}.log`);
  }

  private syncDir(): Promise<void> {
    return syncDirectory(this.dir);
  }

  private serially<T>(documentId: DocumentId, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(documentId) ?? this.ready;
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.queues.set(documentId, settled);
    void settled.then(() => {
      if (this.queues.get(documentId) === settled) this.queues.delete(documentId);
    });
    return next;
  }
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
