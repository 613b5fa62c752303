// Runs the DagTracker acceptance suite against PostgresDagTracker on a real PostgreSQL the test starts
// itself, then what only PostgreSQL does: group commit counted in INSERTs, a damaged row, NUL refused.
import { type PostgresServer, startPostgres } from '@symphony/ofb/testing';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JournalCorruptError, PitInputError } from '../src/errors.js';
import { PostgresDagTracker, RUN_EVENTS_TABLE } from '../src/PostgresDagTracker.js';
import { lifecycleEvents, queuedEvent, runDagTrackerTests, startedEvent, testRunId } from '../src/testing.js';

let server: PostgresServer | undefined;
let databases = 0;
const freshDatabase = async () => {
  server ??= await startPostgres();
  return server.createDatabase(`journal_${++databases}`);
};
afterAll(() => server?.stop());

runDagTrackerTests('PostgresDagTracker', async () => {
  const url = await freshDatabase();
  return {
    tracker: await PostgresDagTracker.open(url),
    reopen: () => PostgresDagTracker.open(url),
    cleanup: async () => {},
  };
});

describe('PostgresDagTracker on PostgreSQL', () => {
  let url: string;
  let sql: postgres.Sql;
  let statements: string[];
  beforeAll(async () => {
    url = await freshDatabase();
  });
  beforeEach(async () => {
    statements = [];
    sql = postgres(url, { max: 4, onnotice: () => {}, debug: (_c, query) => statements.push(query) });
    await sql.unsafe(`drop table if exists ${RUN_EVENTS_TABLE}`);
  });
  afterEach(() => sql.end({ timeout: 5 }));

  it('creates its table once even when two trackers open a fresh database at the same moment', async () => {
    const [one, two] = await Promise.all([PostgresDagTracker.open(url), PostgresDagTracker.open(url)]);
    const run = testRunId(1);
    await one.record(startedEvent(run));
    expect(await two.history(run)).toHaveLength(1);
    await Promise.all([one.close(), two.close()]);
  });

  it('commits concurrent records in few multi-row INSERTs, in order, and leaves a given client open', async () => {
    const tracker = await PostgresDagTracker.open(sql);
    const run = testRunId(2);
    await tracker.record(startedEvent(run));
    statements = [];
    await Promise.all(Array.from({ length: 64 }, (_, i) => tracker.record(queuedEvent(run, `n${i}`))));
    const inserts = statements.filter((q) => /insert into/i.test(q));
    expect(inserts.length).toBeGreaterThan(0);
    expect(inserts.length).toBeLessThanOrEqual(8);
    const nodes = (await tracker.history(run)).flatMap((e) => (e.type === 'node.queued' ? [e.nodeId] : []));
    expect(nodes).toEqual(Array.from({ length: 64 }, (_, i) => `n${i}`));
    await tracker.close();
    expect(await sql`select count(*)::int as n from ${sql(RUN_EVENTS_TABLE)}`).toEqual([{ n: 65 }]);
  });

  it('refuses a row that is valid JSON but not a run event with JournalCorruptError naming table and seq', async () => {
    const tracker = await PostgresDagTracker.open(sql);
    const run = testRunId(3);
    await tracker.record(...lifecycleEvents(run).slice(0, 2));
    await sql.unsafe(`insert into ${RUN_EVENTS_TABLE} (run_id, at, event) values ($1, 1, $2::jsonb)`, [
      run,
      JSON.stringify({ type: 'node.queued', runId: run, at: 1 }),
    ]);
    const error = await tracker.history(run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalCorruptError);
    expect((error as Error).message).toMatch(new RegExp(`${RUN_EVENTS_TABLE}, run ${run}, seq 3`));
    expect((error as Error).message).toMatch(
      /not a valid run event.*restore the journal from a backup, or delete/,
    );
    await tracker.close();
  });

  it('refuses a string with a NUL character, which jsonb cannot store, writing nothing of the call', async () => {
    const tracker = await PostgresDagTracker.open(sql);
    const run = testRunId(4);
    await tracker.record(startedEvent(run));
    const withNul = { type: 'node.skipped', runId: run, at: 2, nodeId: 'n', reason: 'a\u0000b' } as never;
    await expect(tracker.record(queuedEvent(run, 'ok'), withNul)).rejects.toThrow(PitInputError);
    // An escaped backslash before "u0000" is not a NUL and is stored as it is.
    const backslash = { type: 'node.skipped', runId: run, at: 3, nodeId: 'n', reason: 'C:\\u0000' } as never;
    await tracker.record(backslash);
    const history = await tracker.history(run);
    expect(history.map((e) => e.type)).toEqual(['run.started', 'node.skipped']);
    expect(history[1]).toMatchObject({ reason: 'C:\\u0000' });
    await tracker.close();
  });
});
