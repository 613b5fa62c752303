/**
 * pit: the run journal and the artifact store against their raw anchors, side by side in one run.
 *
 * - Journal appends/s: `FileDagTracker.record` of node.running / node.succeeded events against a raw
 *   append loop of the same bytes on the same disk (write + fdatasync per record; one O_DSYNC write
 *   per record), 1 writer and 64 concurrent writers; `PostgresDagTracker.record` against a raw
 *   INSERT per record on the same server (which runs with fsync=off).
 * - Artifact put/get at 1 KB, 1 MB, 64 MB: `FsArtifactStore` against raw `fs` (temp file + fdatasync
 *   + rename, with and without the folder fsync; readFile), new bytes per put.
 * - Cache hit: `store.cached(key)` against a bare `Map.get`.
 * - Search over 100,000 text artifacts: index build and query p50/p99, against design targets.
 *
 * Data lives under `.test-output/` (real fsync) and is removed afterwards. `BENCH_CASES=journal,
 * postgres,artifacts,cache,search` runs some cases only, for investigating.
 */
import { startPostgres } from '@symphony/ofb/testing';
import { type BenchCase, smoke, writeResult } from '../lib/harness.ts';
import { cacheHitCases, putGetCases } from './artifacts.ts';
import { cleanUpNow, enter, installGuards, onCleanup } from './common.ts';
import { journalCases, postgresJournalCases } from './journal.ts';
import { searchCases } from './search.ts';

const ALL = ['journal', 'postgres', 'artifacts', 'cache', 'search'] as const;
const selected = new Set(process.env.BENCH_CASES ? process.env.BENCH_CASES.split(',') : ALL);
const unknown = [...selected].filter((name) => !(ALL as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`pit: unknown BENCH_CASES ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
  process.exit(2);
}

installGuards();
const started = Date.now();
const cases: BenchCase[] = [];
const notes: string[] = [
  'Data under .test-output/ on the repository’s disk (real fsync), removed afterwards. Each round runs ours and each anchor once, in an order that rotates from round to round; ratios are medians of per-round ratios, except the 1 KB p99 rows (pooled over the rounds).',
  'Journal: FileDagTracker (AppendLog, O_DSYNC, group commit) records node.running/node.succeeded events of one run; the anchors append the same framed bytes (length + checksum + JSON, encoded before the clock) to one file from the same writers.',
  'Put/get: every put has bytes no earlier put had (fresh random bytes up to 64 KiB; above, a copy of one random buffer with its first 4 KiB made fresh), so dedup never helps ours; one put at a time. Ours hashes, writes a temp file, fdatasyncs, renames into blobs/ab/cd/ (creating that folder when new) and fsyncs it beside one metadata append; get re-hashes the bytes. The raw anchors read back their own files.',
];

/** Runs one group of cases and says how long it took (the whole run should stay near 3 minutes). */
async function section(name: string, run: () => Promise<BenchCase[]>): Promise<void> {
  if (!selected.has(name as (typeof ALL)[number])) return;
  const t0 = Date.now();
  cases.push(...(await run()));
  console.log(`pit: ${name} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

try {
  await section('journal', journalCases);
  await section('postgres', async () => {
    enter('starting PostgreSQL 15');
    const cluster = await startPostgres();
    const stop = onCleanup(() => cluster.stop());
    try {
      notes.push(
        'PostgreSQL: a throwaway PostgreSQL 15 cluster from startPostgres (@symphony/ofb/testing) with fsync=off, so neither side waits on the disk: the ratio is the tracker’s CPU and batching, not durability.',
      );
      return await postgresJournalCases(await cluster.createDatabase('bench_pit'));
    } finally {
      stop();
    }
  });
  await section('artifacts', putGetCases);
  await section('cache', cacheHitCases);
  await section('search', async () => {
    const search = await searchCases();
    notes.push(...search.notes);
    return search.cases;
  });
} finally {
  cleanUpNow();
}

const path = writeResult({ name: 'pit', cases, notes });
console.table(
  cases.map((c) => ({
    case: c.case.length > 70 ? `${c.case.slice(0, 67)}...` : c.case,
    metric: c.metric,
    ours: c.ours,
    anchor: c.anchor,
    ratio: c.ratio,
    goal: c.goal_ratio,
    holds: c.ratio !== null && c.ratio <= c.goal_ratio ? 'yes' : 'NO',
  })),
);
console.log(
  `pit: wrote ${path} after ${((Date.now() - started) / 1000).toFixed(0)} s${smoke ? ' (smoke)' : ''}`,
);
process.exit(0);
