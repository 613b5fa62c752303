// The kill -9 test: child processes run ~50-node workflows of real node types (random small delays,
// an effect line per step call, write-document lines in one real document on a real sync-server)
// and are SIGKILLed at seeded random moments — at any time after spawn, right after the n-th
// journal record, right after the n-th step effect — then restarted until each run ends. Every run
// must then be exactly what an uninterrupted run gives: each document line once, each effect at
// least once and never after its node's recorded success, the same output artifacts.
//
// SYMPHONY_KILL_COUNT (default 200) sets how many kills, SYMPHONY_KILL_SEED the seed (a number, or
// `random`), SYMPHONY_KILL_LANES how many data folders are driven side by side (default 2).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DocumentId } from '@symphony/schemas';
import type { SyncServer } from '@symphony/sync-server';
import { startTestServer, tempDir } from '@symphony/sync-server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killTestSteps } from '../src/testing.js';
import { KillLane, type KillShared, type KillTally, readDocument } from './kill9-lane.js';
import { TableAccess, Tokens } from './team-server.js';

const KILLS = Number(process.env.SYMPHONY_KILL_COUNT ?? 200);
const SEED =
  process.env.SYMPHONY_KILL_SEED === 'random'
    ? Date.now() % 1_000_000_000
    : Number(process.env.SYMPHONY_KILL_SEED ?? 20261214);
const LANES = Number(process.env.SYMPHONY_KILL_LANES ?? 2);
const DOCUMENT = 'kill-test-notes' as DocumentId;

let dir: { dir: string; cleanup: () => Promise<void> };
let server: SyncServer;

beforeAll(async () => {
  dir = await tempDir('symphony-kill9-');
  const access = new TableAccess();
  access.share(DOCUMENT);
  // File persistence under the data folder: the document is stored as a team server stores it.
  server = await startTestServer({ dataDir: join(dir.dir, 'server') }, { access });
});
afterAll(async () => {
  await server?.close();
  await dir?.cleanup();
});

describe('kill -9 at random instants', () => {
  it(
    `survives ${KILLS} SIGKILLs: every run ends as an uninterrupted one, each document write once (seed ${SEED})`,
    async () => {
      const started = performance.now();
      const tally: KillTally = {
        kills: 0,
        lives: 0,
        runs: 0,
        byPlan: {},
        tornJournals: 0,
        storeRepairs: 0,
        warnings: 0,
        pids: new Set(),
      };
      const stop = new AbortController();
      const shared: KillShared = {
        server,
        token: Tokens.editor,
        documentId: DOCUMENT,
        steps: killTestSteps(),
        seed: SEED,
        killsWanted: KILLS,
        tag: `kill9-${process.pid}-${SEED}`,
        tally,
        stop: stop.signal,
      };
      const lanes = Array.from({ length: LANES }, (_, i) => new KillLane(i, dir.dir, shared));
      const ends = await Promise.allSettled(
        lanes.map((lane) =>
          lane.runUntilSpent().catch((error: unknown) => {
            stop.abort();
            throw error;
          }),
        ),
      );
      const failure = ends.find((end) => end.status === 'rejected');
      if (failure !== undefined) {
        const error: unknown = failure.reason;
        throw new Error(
          `kill -9 test failed with seed ${SEED} (replay: SYMPHONY_KILL_SEED=${SEED} SYMPHONY_KILL_LANES=${LANES}) after ${tally.kills} kills: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      expect(await leftovers(shared.tag, tally.pids)).toEqual([]);
      const document = await readDocument(server, DOCUMENT, Tokens.editor);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `kill9: seed ${SEED}, ${LANES} lanes, ${tally.kills} kills (${JSON.stringify(tally.byPlan)}), ` +
          `${tally.lives} lives, ${tally.runs} runs checked, ${tally.tornJournals} torn journals cut, ` +
          `${tally.storeRepairs} artifact stores tidied, ${tally.warnings} executor warnings, ${document.markers.size} document writes, ${seconds} s`,
      );
      expect(tally.kills).toBeGreaterThanOrEqual(KILLS);
      expect(tally.runs).toBeGreaterThanOrEqual(LANES);
    },
    Math.max(10 * 60_000, KILLS * 3000),
  );
});

/**
 * Processes still alive that the test started: any of its children's pids, or any process whose
 * environment carries the test's tag (a grandchild a child may have left behind).
 */
async function leftovers(tag: string, pids: ReadonlySet<number>): Promise<string[]> {
  const alive: string[] = [];
  for (const pid of pids) {
    try {
      process.kill(pid, 0);
      alive.push(`child ${pid}`);
    } catch {
      // ESRCH: gone, as it should be.
    }
  }
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'latin1').catch(() => '');
    if (environ.split('\0').includes(`SYMPHONY_KILL_TAG=${tag}`)) alive.push(`process ${entry} (tagged)`);
  }
  return alive;
}
