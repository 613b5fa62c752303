// A RouterStore over the project's append log: one checksummed JSON record per outcome or rating
// in `<dir>/router.log`, durable before `append` resolves, parsed with zod when loaded.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CallOutcome, CallRating } from '@symphony/schemas';
import { z } from 'zod';
import { AppendLog, readAppendLog } from '../append-log.js';
import type { RouterStore } from './ArbitrationEngine.js';

/** One record of the router log: an outcome or a rating, told apart by `kind`. */
const RouterRecord = z.discriminatedUnion('kind', [
  CallOutcome.extend({ kind: z.literal('outcome') }),
  CallRating.extend({ kind: z.literal('rating') }),
]);

/** How a {@link FileRouterStore} opens its log. */
export interface FileRouterStoreOptions {
  /**
   * Only read (`instruments stats`): the log is neither created nor repaired, and `append` is
   * refused. A process that does not own the log must not cut its tail, which may be a record its
   * writer is appending at that instant.
   */
  readonly readOnly?: boolean;
  /** Told about records that were skipped (torn tail, or a record this version cannot read). Must not throw. */
  readonly onWarning?: (message: string) => void;
}

/** The file name of the router log in its folder. */
export const ROUTER_LOG = 'router.log';

/**
 * The router's outcomes and ratings in one append log. A torn tail (a crash mid-append) is ignored
 * on load and cut before the next append, as the journal's is; a record that frames and checksums but does not parse (written by a
 * newer version) is skipped with a warning rather than failing the whole router. Several processes
 * may append (a running executor and `symphony instruments rate`): each append is one `O_APPEND`
 * write of whole records.
 */
export class FileRouterStore implements RouterStore {
  readonly #log: AppendLog | undefined;

  private constructor(
    readonly path: string,
    private readonly options: FileRouterStoreOptions,
  ) {
    this.#log = options.readOnly ? undefined : new AppendLog(path, { repair: true, syncDir: true });
  }

  /** The store in `dir` (created unless read-only). */
  static async open(dir: string, options: FileRouterStoreOptions = {}): Promise<FileRouterStore> {
    if (!options.readOnly) await mkdir(dir, { recursive: true });
    return new FileRouterStore(join(dir, ROUTER_LOG), options);
  }

  async load(): Promise<readonly (CallOutcome | CallRating)[]> {
    // Never cut here: the first append cuts a torn tail and refuses a log damaged before its end
    // (AppendLog's `repair`), where cutting would destroy the records after the damage.
    const { records, droppedBytes } = await readAppendLog(this.path, { truncate: false });
    if (droppedBytes > 0)
      this.#warn(
        `router log ${this.path}: ${droppedBytes} bytes after record ${records.length} do not frame; ignored`,
      );
    const entries: (CallOutcome | CallRating)[] = [];
    const decoder = new TextDecoder();
    for (const [i, bytes] of records.entries()) {
      let json: unknown;
      try {
        json = JSON.parse(decoder.decode(bytes));
      } catch {
        json = undefined;
      }
      const parsed = RouterRecord.safeParse(json);
      if (!parsed.success) {
        this.#warn(
          `router log ${this.path}: record ${i + 1} is not an outcome or rating this version reads; skipped`,
        );
        continue;
      }
      const { kind: _kind, ...entry } = parsed.data;
      entries.push(entry);
    }
    return entries;
  }

  async append(entry: CallOutcome | CallRating): Promise<void> {
    if (this.#log === undefined)
      throw new Error(`router store ${this.path} was opened read-only; open it without readOnly to append`);
    const kind = 'success' in entry ? 'outcome' : 'rating';
    const record = RouterRecord.parse({ ...entry, kind });
    await this.#log.append([new TextEncoder().encode(JSON.stringify(record))]);
  }

  /** Waits for appends in flight, then closes the log. */
  async close(): Promise<void> {
    await this.#log?.close();
  }

  #warn(message: string): void {
    try {
      this.options.onWarning?.(message);
    } catch {
      // A failing warning sink must not fail the load.
    }
  }
}
