// FileDagTracker, the run journal on files: one checksummed, fsynced append log per run under
// `.symphony/runs/`, with group commit. The embedded default.
import { mkdir, open, readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { RunEvent } from '@symphony/schemas';
import { RunId } from '@symphony/schemas';
import { z } from 'zod';
import {
  AppendLog,
  type AppendLogDamage,
  decodeRecords,
  framedRecordCount,
  isTornTail,
  RECORD_HEADER_BYTES,
  recordChecksum,
  syncDirectory,
} from './append-log.js';
import type { DagTracker } from './DagTracker.js';
import { JournalCorruptError, parseInput } from './errors.js';
import { eventJson, journalCorrupt, parseEvents, storedEvent } from './journal-codec.js';
import { TrackerSubscribers } from './subscribers.js';

/** What a {@link FileDagTracker} reports when it finds a journal it had to cut. */
export interface JournalWarning {
  readonly runId: RunId;
  readonly file: string;
  /** Intact records before the cut (they are kept). */
  readonly keptRecords?: number;
  readonly keptBytes: number;
  /** Bytes after the intact prefix: ignored when read, truncated by the next append. */
  readonly droppedBytes: number;
  /**
   * `torn`: the last record is incomplete, as a crash during its write leaves it (expected after
   * `kill -9`). `damaged` is kept for compatibility and no longer reported: a record in the middle
   * that fails its checksum makes `history` and `record` throw `JournalCorruptError` instead.
   */
  readonly kind: 'torn' | 'damaged';
}

const WarningSink = z.custom<(message: string, warning: JournalWarning) => void>(
  (v) => typeof v === 'function',
  'onWarning must be a function (message, warning) => void',
);

/** Options of {@link FileDagTracker.open}. */
export const FileDagTrackerOptions = z.object({
  /** Where cut journals are reported (default: `console.warn`). */
  onWarning: WarningSink.optional(),
});
export type FileDagTrackerOptions = z.input<typeof FileDagTrackerOptions>;

const JOURNAL_SUFFIX = '.journal';
const JOURNAL_NAME = /^(run_[a-z0-9]+)\.journal$/;
/** How many journal files `runs()` inspects at once: bounded, so thousands of runs never exhaust file handles. */
const LIST_CONCURRENCY = 16;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The append log of one run, and what decides when it may be closed. */
interface RunLog {
  readonly log: AppendLog;
  /** Appends issued and not yet settled. */
  pending: number;
  /** A `run.finished` was appended: close the log once nothing is pending. */
  finished: boolean;
}

/**
 * A DagTracker on files: `<dir>/<runId>.journal` per run, each an {@link AppendLog} of JSON run
 * events (group commit: records that arrive while an fsync is in flight go in the next one). Run
 * ids are time-ordered, so file names sort runs by start. A log stays open until its run's
 * `run.finished` is durable. A torn last record (a crash mid-write) is ignored when read and cut
 * when the run is next appended to, each time reported to `onWarning`. A journal damaged before
 * its end (a record failing its checksum with intact records after it) is never cut: `history`
 * and `record` throw `JournalCorruptError` for the run until the file is restored or moved
 * aside; `runs` still lists it. Reading never cuts, since
 * another process (the CLI, a monitor) may read while the executor is writing. One process writes
 * a run at a time (the executor's run claim sees to it).
 */
export class FileDagTracker implements DagTracker {
  readonly #logs = new Map<RunId, RunLog>();
  readonly #closing = new Set<Promise<void>>();
  readonly #subscribers = new TrackerSubscribers();
  /** Where a cut was last reported per run, so a history read and the repair that follows warn once. */
  readonly #warnedAt = new Map<RunId, number>();
  readonly #onWarning: (message: string, warning: JournalWarning) => void;
  #closed = false;

  private constructor(
    /** The folder holding the journals (absolute). */
    readonly dir: string,
    options: z.output<typeof FileDagTrackerOptions>,
  ) {
    this.#onWarning = options.onWarning ?? ((message, warning) => console.warn(message, warning));
  }

  /**
   * A tracker over `dir` (the orchestrator passes `.symphony/runs/`), creating the folder (and
   * fsyncing its parents, so it survives a crash) when it does not exist.
   */
  static async open(dir: string, options: FileDagTrackerOptions = {}): Promise<FileDagTracker> {
    const path = resolve(parseInput('FileDagTracker.open', z.string().min(1), dir));
    const parsed = parseInput('FileDagTracker.open', FileDagTrackerOptions, options);
    const created = await mkdir(path, { recursive: true });
    if (created !== undefined) {
      const top = resolve(created);
      for (let d = path; ; d = dirname(d)) {
        await syncDirectory(dirname(d));
        if (d === top || d === dirname(d)) break;
      }
    }
    return new FileDagTracker(path, parsed);
  }

  async record(...events: RunEvent[]): Promise<void> {
    if (this.#closed) throw new Error('FileDagTracker.record: the tracker is closed; open a new one');
    if (events.length === 0) return;
    const parsed = parseEvents('FileDagTracker.record', events);
    const first = parsed[0]!.runId;
    if (parsed.every((e) => e.runId === first)) {
      await this.#append(first, parsed);
      this.#subscribers.publish(parsed);
      return;
    }
    const byRun = new Map<RunId, RunEvent[]>();
    for (const event of parsed) {
      const group = byRun.get(event.runId);
      if (group) group.push(event);
      else byRun.set(event.runId, [event]);
    }
    // Encode every group before appending any, so an oversized event leaves every run untouched.
    const groups = [...byRun].map(([runId, group]) => ({ runId, group, records: encode(group) }));
    const settled = await Promise.allSettled(
      groups.map((g) => this.#appendRecords(g.runId, g.group, g.records)),
    );
    this.#subscribers.publish(groups.flatMap((g, i) => (settled[i]!.status === 'fulfilled' ? g.group : [])));
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) throw failure.reason;
  }

  async history(runId: RunId): Promise<RunEvent[]> {
    const id = parseInput('FileDagTracker.history', RunId, runId);
    const file = this.#path(id);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const { records, validBytes } = decodeRecords(bytes);
    if (validBytes < bytes.length && !isTornTail(bytes, validBytes)) {
      throw this.#damaged(id, {
        path: file,
        keptBytes: validBytes,
        keptRecords: records.length,
        framedRecords: records.length + framedRecordCount(bytes, validBytes),
        fileBytes: bytes.length,
      });
    }
    // With the log open here, it was repaired when opened: a torn tail is a write in flight.
    if (validBytes < bytes.length && !this.#logs.has(id))
      this.#warn(id, validBytes, bytes.length - validBytes, records.length, 'torn');
    const events = new Array<RunEvent>(records.length);
    for (let i = 0; i < records.length; i++) {
      const locate = () => ({
        where: `run journal ${file}, record ${i + 1} of ${records.length},`,
        remedy: `move ${file} out of ${this.dir} to set run ${id} aside`,
      });
      let text: string;
      try {
        text = utf8.decode(records[i]);
      } catch {
        throw journalCorrupt(locate(), 'is not UTF-8 text');
      }
      events[i] = storedEvent(text, id, locate);
    }
    return events;
  }

  async runs(): Promise<RunId[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const ids = names
      .map((name) => JOURNAL_NAME.exec(name)?.[1])
      .filter((id): id is string => id !== undefined && RunId.safeParse(id).success)
      .sort() as RunId[];
    const kept: RunId[] = [];
    for (let i = 0; i < ids.length; i += LIST_CONCURRENCY) {
      const chunk = ids.slice(i, i + LIST_CONCURRENCY);
      const intact = await Promise.all(chunk.map((id) => hasIntactRecord(this.#path(id))));
      kept.push(...chunk.filter((_, j) => intact[j]));
    }
    return kept;
  }

  subscribe(listener: (event: RunEvent) => void, runId?: RunId): () => void {
    return this.#subscribers.add(listener, runId);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const logs = [...this.#logs.values()];
    this.#logs.clear();
    await Promise.all([...logs.map((run) => run.log.close()), ...this.#closing]);
  }

  #append(runId: RunId, events: readonly RunEvent[]): Promise<void> {
    return this.#appendRecords(runId, events, encode(events));
  }

  async #appendRecords(runId: RunId, events: readonly RunEvent[], records: Buffer[]): Promise<void> {
    let run = this.#logs.get(runId);
    if (!run) {
      const file = this.#path(runId);
      const log = new AppendLog(file, {
        syncDir: true,
        repair: true,
        onRepair: (cut) => this.#warn(runId, cut.keptBytes, cut.droppedBytes, undefined, 'torn'),
        damaged: (damage) => this.#damaged(runId, damage),
      });
      run = { log, pending: 0, finished: false };
      this.#logs.set(runId, run);
    }
    run.pending++;
    if (events.some((e) => e.type === 'run.finished')) run.finished = true;
    try {
      await run.log.append(records);
    } finally {
      run.pending--;
      if (run.finished && run.pending === 0 && this.#logs.get(runId) === run) this.#retire(runId, run);
    }
  }

  /** Closes an idle finished run's log; a later record for the run opens a new one. */
  #retire(runId: RunId, run: RunLog): void {
    this.#logs.delete(runId);
    const closing = run.log.close().finally(() => this.#closing.delete(closing));
    this.#closing.add(closing);
  }

  /** The error for a journal damaged before its end: it is left as it is, and the run set aside. */
  #damaged(runId: RunId, damage: AppendLogDamage): JournalCorruptError {
    return new JournalCorruptError(
      `the journal of run ${runId} (${damage.path}) is damaged at record ${damage.keptRecords + 1} of ${damage.framedRecords}: it fails its checksum and intact records follow it (disk or hand damage, not a crash), so the run can be neither read nor resumed. Nothing was changed: restore the file from a backup, or move it out of ${this.dir} to discard run ${runId}.`,
    );
  }

  #warn(
    runId: RunId,
    keptBytes: number,
    droppedBytes: number,
    keptRecords: number | undefined,
    kind: 'torn' | 'damaged',
  ) {
    if (this.#warnedAt.get(runId) === keptBytes) return;
    this.#warnedAt.set(runId, keptBytes);
    const file = this.#path(runId);
    const what =
      kind === 'torn'
        ? 'its last record was torn (a crash during a write), so that record is dropped'
        : 'a record in the middle fails its checksum (disk or hand damage), so it and every record after it are dropped';
    try {
      this.#onWarning(
        `run journal ${file}: ${what}: ${droppedBytes} bytes after the first ${keptBytes} bytes of intact records. The run continues from the records kept.`,
        { runId, file, keptBytes, droppedBytes, kind, ...(keptRecords === undefined ? {} : { keptRecords }) },
      );
    } catch {
      // A failing warning sink must not fail the read or the append that found the cut.
    }
  }

  #path(runId: RunId): string {
    return join(this.dir, `${runId}${JOURNAL_SUFFIX}`);
  }
}

function encode(events: readonly RunEvent[]): Buffer[] {
  const records = new Array<Buffer>(events.length);
  for (let i = 0; i < events.length; i++)
    records[i] = Buffer.from(eventJson('FileDagTracker.record', events[i]!));
  return records;
}

/** Whether the journal at `path` starts with an intact record (a run with at least one event). */
async function hasIntactRecord(path: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  try {
    const header = Buffer.alloc(RECORD_HEADER_BYTES);
    const { bytesRead } = await handle.read(header, 0, RECORD_HEADER_BYTES, 0);
    if (bytesRead < RECORD_HEADER_BYTES) return false;
    const length = header.readUInt32LE(0);
    const { size } = await handle.stat();
    if (RECORD_HEADER_BYTES + length > size) return false;
    const record = Buffer.alloc(length);
    await handle.read(record, 0, length, RECORD_HEADER_BYTES);
    return recordChecksum(record) === header.readUInt32LE(4);
  } finally {
    await handle.close();
  }
}
