// Background compaction of a Document's stored Yjs updates after persist-updates, one at a time per Document.
import * as Y from 'yjs';
import type { OfbStore } from '../OfbStore.js';
import { KeyedQueue } from './keyed-queue.js';

/** Where a background compaction reports a failure (it never throws into a request). */
export type CompactionErrorSink = (documentId: string, error: unknown) => void;

const logToConsole: CompactionErrorSink = (documentId, error) =>
  console.error(
    JSON.stringify({
      level: 'error',
      msg: 'ofb background compaction failed',
      documentId,
      error: String(error),
    }),
  );

/**
 * Background compaction of a document's stored Yjs updates: after a successful `persist-updates`,
 * a document with more than `maxRows` rows has them merged (`Y.mergeUpdates`) into one state row,
 * outside the request, at most one compaction per document at a time. Clients never see it: the
 * merged state applies to exactly the same document as the rows it replaces.
 */
export class YjsCompactor {
  private readonly queue = new KeyedQueue();
  /** Documents with a check or compaction queued or running: a later persist need not add one. */
  private readonly scheduled = new Set<string>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly store: OfbStore,
    /** 200: a document loads from a few rows instead of thousands, and compaction stays rare. */
    readonly maxRows = 200,
    private readonly onError: CompactionErrorSink = logToConsole,
  ) {}

  /**
   * Notes a successful persist; schedules a compaction when the document has too many rows.
   * `storedRows`, when the caller knows it (the rows it saw plus the rows it added, in the persist's
   * transaction), saves counting them: at or under `maxRows` there is nothing to check. A concurrent
   * persist may have added rows it did not see; the next persist's count includes them.
   */
  persisted(documentId: string, storedRows?: number): void {
    if (storedRows !== undefined && storedRows <= this.maxRows) return;
    if (this.scheduled.has(documentId)) return;
    this.scheduled.add(documentId);
    const run: Promise<void> = this.queue
      .run([documentId], async () => {
        // Cleared first: a persist that lands while this one compacts schedules the next check.
        this.scheduled.delete(documentId);
        if ((await this.store.countDocumentUpdates(documentId)) > this.maxRows)
          await this.compact(documentId);
      })
      .catch((error: unknown) => {
        this.scheduled.delete(documentId);
        this.onError(documentId, error);
      })
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** Resolves once every scheduled compaction has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private async compact(documentId: string): Promise<void> {
    // The rows are read under the document's lock in the compaction's transaction, and only those
    // rows are replaced: an append that drew a lower seq but commits later is never deleted unmerged.
    await this.store.compactDocumentUpdatesWith(documentId, (rows) =>
      rows.length <= 1
        ? null
        : { state: Y.mergeUpdates(rows.map((r) => r.bytes)), seqs: rows.map((r) => r.seq) },
    );
  }
}
