// PostgresDagTracker, the run journal in PostgreSQL (for a team): one row per run event, with group
// commit into multi-row INSERTs.
import { type RunEvent, RunId } from '@symphony/schemas';
import postgres from 'postgres';
import { z } from 'zod';
import type { DagTracker } from './DagTracker.js';
import { PitInputError, parseInput } from './errors.js';
import { eventJson, parseEvents, storedEvent } from './journal-codec.js';
import { TrackerSubscribers } from './subscribers.js';

/** The table the journal lives in, created by {@link PostgresDagTracker.open} when missing. */
export const RUN_EVENTS_TABLE = 'pit_run_events';

const SCHEMA = `
  create table if not exists ${RUN_EVENTS_TABLE} (
    run_id text not null,
    seq bigserial not null,
    at bigint not null,
    event jsonb not null,
    primary key (seq)
  );
  create index if not exists ${RUN_EVENTS_TABLE}_run on ${RUN_EVENTS_TABLE} (run_id, seq);
`;

// Rows keep the batch's order: `with ordinality` + `order by` makes `seq` follow it. The batch is
// sent as text (`$1::text`): typed as jsonb, postgres.js would encode the JSON string once more.
const INSERT = `
  insert into ${RUN_EVENTS_TABLE} (run_id, at, event)
  select e->>'runId', (e->>'at')::bigint, e
  from jsonb_array_elements($1::text::jsonb) with ordinality as batch(e, i)
  order by i
`;

/** An odd number of backslashes before `u0000`: a NUL character escaped in JSON text. */
const ESCAPED_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/;

const Target = z.union([
  z.string().min(1, 'give a postgres:// URL or a postgres.js `sql` instance'),
  z.custom<postgres.Sql>(
    (v) => typeof v === 'function' && typeof (v as { unsafe?: unknown }).unsafe === 'function',
    {
      message: 'give a postgres:// URL or a postgres.js `sql` instance',
    },
  ),
]);

/** Options of {@link PostgresDagTracker.open}. */
export const PostgresDagTrackerOptions = z.object({
  /** Connections in the pool it opens for a URL (ignored for a given `sql`); default 4. */
  max: z.number().int().min(1).max(100).default(4),
});
export type PostgresDagTrackerOptions = z.input<typeof PostgresDagTrackerOptions>;

interface Pending {
  readonly json: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A DagTracker in PostgreSQL: table `pit_run_events` (run id, a `bigserial` sequence, the event's
 * time and the event as `jsonb`), indexed by run. `record` resolves once its INSERT has committed;
 * records that arrive while an INSERT is in flight go in the next one, a single multi-row statement,
 * so they commit together or not at all. `history` orders by sequence, `runs` by each run's first
 * event. Strings with a NUL character are refused (PitInputError): `jsonb` cannot store them.
 */
export class PostgresDagTracker implements DagTracker {
  readonly #subscribers = new TrackerSubscribers();
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(
    /** The postgres.js client it queries through. */
    readonly sql: postgres.Sql,
    private readonly ownsSql: boolean,
  ) {}

  /**
   * A tracker on the database at `target` (a URL: it opens and later closes its own pool; or a
   * postgres.js `sql`, left open on `close`), creating the table and its index when missing.
   */
  static async open(
    target: string | postgres.Sql,
    options: PostgresDagTrackerOptions = {},
  ): Promise<PostgresDagTracker> {
    const given = parseInput('PostgresDagTracker.open', Target, target);
    const { max } = parseInput('PostgresDagTracker.open', PostgresDagTrackerOptions, options);
    const owns = typeof given === 'string';
    const sql = owns ? postgres(given, { max, onnotice: () => {} }) : given;
    try {
      await sql.begin(async (tx) => {
        // Two processes opening a fresh database at once must not both create the table.
        await tx.unsafe(`select pg_advisory_xact_lock(hashtext('${RUN_EVENTS_TABLE}'))`);
        await tx.unsafe(SCHEMA);
      });
    } catch (error) {
      if (owns) await sql.end({ timeout: 5 });
      throw error;
    }
    return new PostgresDagTracker(sql, owns);
  }

  async record(...events: RunEvent[]): Promise<void> {
    if (this.#closed) throw new Error('PostgresDagTracker.record: the tracker is closed; open a new one');
    if (events.length === 0) return;
    const parsed = parseEvents('PostgresDagTracker.record', events);
    const json = parsed.map((event) => {
      const text = eventJson('PostgresDagTracker.record', event);
      if (ESCAPED_NUL.test(text)) throw nulRefused(event);
      return text;
    });
    await new Promise<void>((resolve, reject) => {
      this.#queue.push({ json: json.length === 1 ? json[0]! : json.join(','), resolve, reject });
      this.#flushing ??= this.#flush();
    });
    this.#subscribers.publish(parsed);
  }

  async history(runId: RunId): Promise<RunEvent[]> {
    const id = parseInput('PostgresDagTracker.history', RunId, runId);
    const rows = await this.sql.unsafe<{ seq: string; event: unknown }[]>(
      `select seq, event from ${RUN_EVENTS_TABLE} where run_id = $1 order by seq`,
      [id],
    );
    return rows.map((row) =>
      storedEvent(row.event, id, () => ({
        where: `PostgreSQL table ${RUN_EVENTS_TABLE}, run ${id}, seq ${row.seq},`,
        remedy: `delete run ${id}'s rows from ${RUN_EVENTS_TABLE} to drop the run`,
      })),
    );
  }

  async runs(): Promise<RunId[]> {
    const rows = await this.sql.unsafe<{ run_id: string }[]>(
      `select run_id from ${RUN_EVENTS_TABLE} group by run_id order by min(seq)`,
    );
    const ids: RunId[] = [];
    for (const row of rows) {
      const id = RunId.safeParse(row.run_id);
      if (id.success) ids.push(id.data);
    }
    return ids;
  }

  subscribe(listener: (event: RunEvent) => void, runId?: RunId): () => void {
    return this.#subscribers.add(listener, runId);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= (async () => {
      while (this.#flushing) await this.#flushing;
      if (this.ownsSql) await this.sql.end({ timeout: 5 });
    })();
    return this.#closing;
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        const json = `[${batch.length === 1 ? batch[0]!.json : batch.map((p) => p.json).join(',')}]`;
        try {
          await this.sql.unsafe(INSERT, [json]);
        } catch (error) {
          for (const pending of batch) pending.reject(error);
          continue;
        }
        for (const pending of batch) pending.resolve();
      }
    } finally {
      this.#flushing = undefined;
    }
  }
}

function nulRefused(event: RunEvent): PitInputError {
  return new PitInputError('PostgresDagTracker.record', [
    {
      code: 'custom',
      path: [],
      input: undefined,
      message: `a ${event.type} event has a string with a NUL character (U+0000), which PostgreSQL's jsonb cannot store: remove it (e.g. replace /\\u0000/g) before recording`,
    },
  ]);
}
