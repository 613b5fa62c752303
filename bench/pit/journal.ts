/**
 * The run journal's cases: `FileDagTracker.record` of realistic node events against a raw append +
 * fsync loop on the same disk, one writer and 64 concurrent writers; `PostgresDagTracker.record`
 * against a raw INSERT loop on the same server.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeRecords, FileDagTracker, PostgresDagTracker } from '@symphony/pit';
import { RunEvent, type RunId } from '@symphony/schemas';
import { type BenchCase, Direction, smoke, summarise } from '../lib/harness.ts';
import { enter, fmt, freshDir, removeDir, rounds, syncDir, timed, writeAll } from './common.ts';

/** Concurrent writers of the many-writer case: 64 nodes of one run finishing at once (a wide fan-out). */
const MANY = 64;
/**
 * Records per round and rounds: many short rounds for one writer (each ~0.1–0.5 s), so the
 * per-round ratios follow the shared disk's swings rather than average over them.
 */
const scenarios = smoke
  ? [
      { writers: 1, records: 40, pairs: 1 },
      { writers: MANY, records: MANY * 2, pairs: 1 },
    ]
  : [
      { writers: 1, records: 200, pairs: 11 },
      { writers: MANY, records: MANY * 32, pairs: 7 },
    ];
const warmup = smoke ? 0 : 1;

/** The goals: within 1.4× of the raw loop with one writer; at least its rate with 64 (group commit). */
const goalFor = (writers: number) => (writers === 1 ? 1.4 : 1.0);

let runCount = 0;

/** A fresh run id per run, all of the same length, so every run's records have the same bytes. */
function nextRunId(): RunId {
  return `run_bench${(++runCount).toString(36).padStart(12, '0')}` as RunId;
}

const hashOf = (seed: string) => createHash('sha256').update(seed).digest('hex');

/**
 * What a run of `writers` concurrent nodes journals: each writer takes its nodes one after another,
 * `node.running` (attempt 1) then `node.succeeded` with two output hashes and a cache key, as the
 * executor records them (made valid and branded by the schema, off the clock).
 */
function nodeEvents(runId: RunId, writers: number, records: number): RunEvent[][] {
  const perWriter = Math.ceil(records / writers / 2);
  const kinds = ['read-document', 'split-text', 'summarize', 'validate-json', 'write-document'];
  return Array.from({ length: writers }, (_, w) => {
    const events: RunEvent[] = [];
    for (let k = 0; k < perWriter; k++) {
      const nodeId = `${kinds[(w + k) % kinds.length]}_${w}_${k}`;
      const at = 1_780_000_000_000 + w * 1000 + k;
      events.push(
        RunEvent.parse({ type: 'node.running', runId, at, nodeId, attempt: 1 }),
        RunEvent.parse({
          type: 'node.succeeded',
          runId,
          at: at + 1,
          nodeId,
          attempt: 1,
          outputs: { text: hashOf(`${nodeId}/text`), summary: hashOf(`${nodeId}/summary`) },
          cacheKey: hashOf(`${nodeId}/key`),
        }),
      );
    }
    return events;
  });
}

/** Every writer's list, written concurrently; each writer awaits each of its items before the next. */
async function concurrently<T>(lists: readonly T[][], write: (item: T) => Promise<unknown>): Promise<void> {
  await Promise.all(
    lists.map(async (list) => {
      for (const item of list) await write(item);
    }),
  );
}

const count = (lists: readonly unknown[][]) => lists.reduce((sum, list) => sum + list.length, 0);

/** Ours: a fresh FileDagTracker folder; the clock runs from the first record to the last durable one. */
async function fileOurs(writers: number, records: number): Promise<number> {
  const dir = freshDir('journal-ours');
  const tracker = await FileDagTracker.open(dir, {
    onWarning: (message) => {
      throw new Error(`pit bench: unexpected journal warning: ${message}`);
    },
  });
  const runId = nextRunId();
  const events = nodeEvents(runId, writers, records);
  const ms = await timed(() => concurrently(events, (event) => tracker.record(event)));
  const stored = (await tracker.history(runId)).length;
  await tracker.close();
  removeDir(dir);
  if (stored !== count(events))
    throw new Error(`pit bench: journal holds ${stored} of ${count(events)} events`);
  return count(events) / (ms / 1000);
}

/**
 * The anchors: the same framed bytes per record (length, checksum, JSON: what FileDagTracker
 * writes, encoded before the clock) appended to one file by the same writers. `fdatasync`: one
 * `write` then one `fdatasync` per record. `odsync`: one `write` per record to a file opened with
 * `O_DSYNC` (what the append log does underneath, without its group commit). Both open the file
 * and fsync its folder once on the clock, as the tracker does for a new run.
 */
async function fileAnchor(mode: 'fdatasync' | 'odsync', writers: number, records: number): Promise<number> {
  const dir = freshDir(`journal-${mode}`);
  const file = join(dir, 'raw.journal');
  const framed = nodeEvents(nextRunId(), writers, records).map((list) =>
    list.map((event) => encodeRecords([Buffer.from(JSON.stringify(event))])),
  );
  const flags =
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (mode === 'odsync' ? constants.O_DSYNC : 0);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let dirSynced: Promise<void> | undefined;
  const ms = await timed(async () => {
    const h = await open(file, flags, 0o666);
    handle = h;
    await concurrently(framed, async (bytes) => {
      await writeAll(h, bytes);
      if (mode === 'fdatasync') await h.datasync();
      dirSynced ??= syncDir(dir);
      await dirSynced;
    });
  });
  await handle?.close();
  const expected = framed.flat().reduce((sum, bytes) => sum + bytes.length, 0);
  const { size } = await stat(file);
  removeDir(dir);
  if (size !== expected) throw new Error(`pit bench: raw journal holds ${size} of ${expected} bytes`);
  return count(framed) / (ms / 1000);
}

/** The record sizes of one node's two events, for the case names. */
function recordBytes(): string {
  const [running, succeeded] = nodeEvents(nextRunId(), 1, 2)[0]!;
  return `${Buffer.byteLength(JSON.stringify(running))} + ${Buffer.byteLength(JSON.stringify(succeeded))} B`;
}

/** The FileDagTracker cases: one writer and 64, each against both raw loops. */
export async function journalCases(): Promise<BenchCase[]> {
  const cases: BenchCase[] = [];
  const sizes = recordBytes();
  for (const { writers, records, pairs } of scenarios) {
    const who = writers === 1 ? '1 writer' : `${writers} concurrent writers, one run`;
    console.log(`pit: journal, ${who}, ${records} records (${sizes}), ${warmup} warm-up + ${pairs} rounds`);
    enter(`journal, ${who}`);
    const runs = await rounds({
      warmup,
      pairs,
      sides: {
        ours: () => fileOurs(writers, records),
        fdatasync: () => fileAnchor('fdatasync', writers, records),
        odsync: () => fileAnchor('odsync', writers, records),
      },
      onRound: (i, r) =>
        console.log(
          `  round ${i + 1}: ours ${fmt(r.ours)}/s | write+fdatasync ${fmt(r.fdatasync)}/s | O_DSYNC write ${fmt(r.odsync)}/s`,
        ),
    });
    const spec = {
      case: `journal appends, FileDagTracker.record, ${who} (node.running/succeeded, ${sizes})`,
      metric: 'appends_per_s',
      goal_ratio: goalFor(writers),
      samples: records,
      direction: Direction.rate,
    };
    cases.push(
      summarise(
        { ...spec, anchor_name: 'raw loop on the same disk: write + fdatasync per record, same bytes' },
        runs.ours,
        runs.fdatasync,
      ),
      summarise(
        { ...spec, anchor_name: 'raw loop on the same disk: one O_DSYNC write per record, same bytes' },
        runs.ours,
        runs.odsync,
      ),
    );
  }
  return cases;
}

/** The anchor's table: the same columns and index as PostgresDagTracker's `pit_run_events`. */
const RAW_TABLE = `
  create table if not exists bench_raw_events (
    run_id text not null,
    seq bigserial not null,
    at bigint not null,
    event jsonb not null,
    primary key (seq)
  );
  create index if not exists bench_raw_events_run on bench_raw_events (run_id, seq);
`;
const RAW_INSERT = 'insert into bench_raw_events (run_id, at, event) values ($1, $2, $3::text::jsonb)';

/**
 * The PostgresDagTracker cases on a server started by `startPostgres` (which runs it with
 * `fsync=off`): ours `record` through the tracker's own pool of 4, the anchor one INSERT per record
 * of the same JSON into an identical table through that same pool.
 */
export async function postgresJournalCases(url: string): Promise<BenchCase[]> {
  const tracker = await PostgresDagTracker.open(url);
  const cases: BenchCase[] = [];
  try {
    await tracker.sql.unsafe(RAW_TABLE);
    const ours = async (writers: number, records: number) => {
      const events = nodeEvents(nextRunId(), writers, records);
      const ms = await timed(() => concurrently(events, (event) => tracker.record(event)));
      return count(events) / (ms / 1000);
    };
    const anchor = async (writers: number, records: number) => {
      const rows = nodeEvents(nextRunId(), writers, records).map((list) =>
        list.map((event) => [event.runId, event.at, JSON.stringify(event)] as const),
      );
      const ms = await timed(() => concurrently(rows, (row) => tracker.sql.unsafe(RAW_INSERT, [...row])));
      return count(rows) / (ms / 1000);
    };
    for (const { writers, records, pairs } of scenarios) {
      const who = writers === 1 ? '1 writer' : `${writers} concurrent writers, one run`;
      console.log(`pit: PostgreSQL journal, ${who}, ${records} records, ${warmup} warm-up + ${pairs} rounds`);
      enter(`PostgreSQL journal, ${who}`);
      const runs = await rounds({
        warmup,
        pairs,
        sides: { ours: () => ours(writers, records), anchor: () => anchor(writers, records) },
        onRound: (i, r) =>
          console.log(`  round ${i + 1}: ours ${fmt(r.ours)}/s | raw INSERT ${fmt(r.anchor)}/s`),
      });
      cases.push(
        summarise(
          {
            case: `journal appends, PostgresDagTracker.record, ${who}`,
            metric: 'appends_per_s',
            anchor_name:
              'raw INSERT per record, same JSON, same table shape, same server and pool of 4 (server runs fsync=off)',
            goal_ratio: goalFor(writers),
            samples: records,
            direction: Direction.rate,
          },
          runs.ours,
          runs.anchor,
        ),
      );
    }
  } finally {
    await tracker.close();
  }
  return cases;
}
