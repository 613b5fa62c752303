/**
 * ofb: persist-on-sync through OFB against a raw INSERT loop on the same database.
 *
 * - Ours: N concurrent writers (one document each, as N sync-server rooms) each await
 *   `OfbPersistence.append(doc, batch)` K times: supabase-js `functions.invoke('persist-updates')` →
 *   OFB's Hono app (createOfbApp + listen, in this process) → JWT check, document lookup, RBAC,
 *   size rule → the updates and their audit row in one transaction.
 * - Anchor: N concurrent writers insert the same batches into the same `document_updates` table with
 *   the statement SqlOfbStore uses (one multi-row parameterised INSERT … RETURNING seq), straight
 *   through the store's own database handle: no HTTP, no auth, no rules, no audit.
 *
 * Per run: p50/p99 of the per-append latency (N × K samples) and appends/s (N × K ÷ wall time).
 * Stores: PGlite (in memory) and a throwaway PostgreSQL 15 cluster (fsync off), each with one
 * OFB in front of it for the whole benchmark; each run writes to N fresh documents, deleted after.
 */

import { performance } from 'node:perf_hooks';
import { PgliteStore, PostgresStore, TokenService } from '@symphony/ofb';
import { type PostgresServer, startPostgres, startTestOfb } from '@symphony/ofb/testing';
import type { DocumentId } from '@symphony/schemas';
import { OfbPersistence } from '@symphony/sync-server';
import * as Y from 'yjs';
import {
  alternate,
  type BenchCase,
  Direction,
  percentile,
  smoke,
  summarise,
  writeResult,
} from '../lib/harness.ts';

const ANCHOR_NAME = 'raw parameterised INSERT of the same bytes through the same DB handle';
/**
 * Our goal (the issue sets none): ours does an HTTP round trip, a JWT check, a document lookup, an
 * RBAC decision, a size sum and a hash-chained audit row in a transaction around the anchor's one
 * INSERT; within 5× of the bare INSERT is what we aim for.
 */
const GOAL_RATIO = 5;
/** Yjs updates per append: a sync-server groups a room's updates into one batch. */
const BATCH = 4;

interface Scenario {
  writers: number;
  /** Appends per writer per run; samples per run = writers × appends. */
  appends: number;
}
const scenarios: Scenario[] = smoke
  ? [
      { writers: 10, appends: 2 },
      { writers: 100, appends: 1 },
    ]
  : [
      { writers: 10, appends: 100 },
      { writers: 100, appends: 10 },
    ];
const warmup = smoke ? 0 : 1;
const pairs = smoke ? 1 : 5;

/** No single step should take this long; past it the run is broken, not slow. */
const STEP_TIMEOUT_MS = 120_000;
let phase = { what: 'starting', since: Date.now() };
const enter = (what: string) => {
  phase = { what, since: Date.now() };
};

/** Everything to undo on the way out, also on SIGINT/SIGTERM and when the watchdog fires. */
const cleanups: (() => void)[] = [];
function cleanUpNow(): void {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      cleanup();
    } catch {}
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`ofb: ${signal}, stopping`);
    cleanUpNow();
    process.exit(130);
  });
setInterval(() => {
  if (Date.now() - phase.since > STEP_TIMEOUT_MS) {
    console.error(`ofb: stuck for over ${STEP_TIMEOUT_MS} ms while ${phase.what}`);
    cleanUpNow();
    process.exit(1);
  }
}, 1000).unref();

/** K batches of BATCH real Yjs updates (one typed character each) per writer, made before the clock. */
function makeBatches(writers: number, appends: number): Uint8Array[][][] {
  return Array.from({ length: writers }, (_, w) => {
    const doc = new Y.Doc();
    const text = doc.getText('body');
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < appends * BATCH; i++)
      text.insert(text.length, String.fromCharCode(97 + ((w + i) % 26)));
    doc.destroy();
    return Array.from({ length: appends }, (_, k) => updates.slice(k * BATCH, (k + 1) * BATCH));
  });
}

type Insert = (documentId: string, batch: readonly Uint8Array[]) => Promise<unknown>;

interface Bench {
  name: string;
  /** The anchor's write: the same statement SqlOfbStore.appendDocumentUpdates sends, on the raw handle. */
  rawInsert: Insert;
  ofbAppend: Insert;
  createDocuments(ids: string[]): Promise<void>;
  deleteDocuments(ids: string[]): Promise<void>;
  /** The audit rows in seq order (prev_hash, hash), to check the chain after the concurrent appends. */
  auditChain(): Promise<{ prev_hash: string; hash: string }[]>;
  close(): Promise<void>;
}

const insertSql = (rows: number) =>
  `insert into document_updates (document_id, bytes) values ${Array.from({ length: rows }, (_, i) => `($1, $${i + 2})`).join(', ')} returning seq`;
const param = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

async function startBench(kind: 'PGlite' | 'PostgreSQL', cluster?: PostgresServer): Promise<Bench> {
  const secret = 'bench-ofb-secret-at-least-32-characters-long';
  const tokens = new TokenService(secret);
  enter(`opening ${kind}`);
  let rawInsert: Insert;
  let store: PgliteStore | PostgresStore;
  let auditChain: Bench['auditChain'];
  const chainSql = 'select prev_hash, hash from audit_log order by seq';
  if (kind === 'PGlite') {
    const pg = await PgliteStore.open('memory://');
    store = pg;
    rawInsert = (id, batch) => pg.pglite.query(insertSql(batch.length), [id, ...batch.map(param)]);
    auditChain = async () => (await pg.pglite.query<{ prev_hash: string; hash: string }>(chainSql)).rows;
  } else {
    const pg = await PostgresStore.open(cluster!.url);
    store = pg;
    rawInsert = (id, batch) => pg.sql.unsafe(insertSql(batch.length), [id, ...batch.map(param)]);
    auditChain = async () => [...(await pg.sql.unsafe<{ prev_hash: string; hash: string }[]>(chainSql))];
  }
  const ofb = await startTestOfb({ store, tokens });
  const owner = (await ofb.signUp('bench-owner')).token;
  const { workspace } = await ofb.ok('create-workspace', { name: 'Bench' }, owner);
  const persistence = new OfbPersistence({
    url: ofb.url,
    anonKey: 'anon',
    serviceToken: await ofb.serviceToken(),
  });
  return {
    name: kind,
    rawInsert,
    ofbAppend: (id, batch) => persistence.append(id as DocumentId, batch),
    async createDocuments(ids) {
      for (const id of ids)
        await ofb.ok(
          'create-document',
          { workspaceId: workspace.id, id, kind: 'document', title: id },
          owner,
        );
    },
    async deleteDocuments(ids) {
      for (const id of ids) await ofb.ok('delete-document', { documentId: id }, owner);
    },
    auditChain,
    async close() {
      await persistence.close();
      await ofb.close();
      await store.close();
    },
  };
}

interface RunFigures {
  p50: number;
  p99: number;
  rate: number;
  samples: number;
}

let runNumber = 0;

/** N writers, each awaiting K appends in turn on its own fresh document; all writers start together. */
async function runOnce(bench: Bench, side: 'ours' | 'anchor', scenario: Scenario): Promise<RunFigures> {
  const run = runNumber++;
  const ids = Array.from({ length: scenario.writers }, (_, w) => `bench-${run}-${w}`);
  const batches = makeBatches(scenario.writers, scenario.appends);
  enter(`${bench.name}: creating ${ids.length} documents`);
  await bench.createDocuments(ids);
  const write = side === 'ours' ? bench.ofbAppend : bench.rawInsert;
  const latencies: number[] = [];
  enter(`${bench.name}: ${side}, ${scenario.writers} writers × ${scenario.appends} appends`);
  const began = performance.now();
  await Promise.all(
    ids.map(async (id, w) => {
      for (const batch of batches[w]!) {
        const t0 = performance.now();
        await write(id, batch);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - began;
  enter(`${bench.name}: deleting ${ids.length} documents`);
  await bench.deleteDocuments(ids);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    rate: latencies.length / (elapsed / 1000),
    samples: latencies.length,
  };
}

const show = (f: RunFigures | undefined) =>
  f ? `p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, ${Math.round(f.rate)} appends/s` : 'n/a';

const cases: BenchCase[] = [];
async function measure(bench: Bench): Promise<void> {
  for (const scenario of scenarios) {
    const label = `${bench.name}, ${scenario.writers} writers, ${BATCH} updates per append`;
    console.log(`ofb: ${label}, ${warmup} warm-up + ${pairs} pairs`);
    const runs = await alternate({
      warmup,
      pairs,
      ours: () => runOnce(bench, 'ours', scenario),
      anchor: () => runOnce(bench, 'anchor', scenario),
      onPair: (i, ours, anchor) =>
        console.log(`  pair ${i + 1}: ours ${show(ours)} | anchor ${show(anchor)}`),
    });
    const samples = Math.min(...runs.anchor.map((r) => r.samples));
    const side = (key: 'p50' | 'p99' | 'rate') =>
      [runs.ours.map((r) => r[key]), runs.anchor.map((r) => r[key])] as const;
    const spec = { anchor_name: ANCHOR_NAME, goal_ratio: GOAL_RATIO, samples };
    cases.push(
      summarise(
        { ...spec, case: `persist-on-sync, ${label}`, metric: 'p50_ms', direction: Direction.cost },
        ...side('p50'),
      ),
      summarise(
        { ...spec, case: `persist-on-sync, ${label}`, metric: 'p99_ms', direction: Direction.cost },
        ...side('p99'),
      ),
      summarise(
        { ...spec, case: `persist-on-sync, ${label}`, metric: 'appends_per_s', direction: Direction.rate },
        ...side('rate'),
      ),
    );
  }
  // Concurrent appends must leave the hash chain whole, in seq order, as `symphony audit verify` walks it.
  enter(`${bench.name}: checking the audit chain`);
  const chain = await bench.auditChain();
  let previous = '0'.repeat(64);
  const breaks = chain.filter((row) => {
    const broken = row.prev_hash !== previous;
    previous = row.hash;
    return broken;
  }).length;
  console.log(`ofb: ${bench.name}: audit chain of ${chain.length} rows, ${breaks} broken links`);
  if (breaks > 0) throw new Error(`ofb: ${bench.name}: the audit chain has ${breaks} broken links`);
}

try {
  const pglite = await startBench('PGlite');
  try {
    await measure(pglite);
  } finally {
    await pglite.close();
  }
  enter('starting PostgreSQL 15');
  const cluster = await startPostgres();
  cleanups.push(() => cluster.stop());
  try {
    const postgres = await startBench('PostgreSQL', cluster);
    try {
      await measure(postgres);
    } finally {
      await postgres.close();
    }
  } finally {
    cleanUpNow();
  }
} catch (error) {
  cleanUpNow();
  throw error;
}

const path = writeResult({
  name: 'ofb',
  cases,
  notes: [
    'OFB (createOfbApp + listen) in the benchmark process, on loopback; writers call OfbPersistence.append (supabase-js functions.invoke, service_role token).',
    `Each append carries ${BATCH} real Yjs updates (one typed character each, ~20-30 bytes); every writer owns a fresh document, awaits each append before the next.`,
    'Anchor: the same multi-row INSERT … RETURNING seq that SqlOfbStore sends, on the store’s own handle (PGlite instance / postgres.js pool of 10), same table, same bytes.',
    'PGlite in memory (memory://); PostgreSQL 15 throwaway cluster with fsync=off: neither side waits on the disk.',
    `Goal: within ${GOAL_RATIO}× of the bare INSERT (the issue sets none).`,
  ],
});
console.table(
  cases.map((c) => ({ case: c.case, metric: c.metric, ours: c.ours, anchor: c.anchor, ratio: c.ratio })),
);
console.log(`ofb: wrote ${path}`);
process.exit(0);
