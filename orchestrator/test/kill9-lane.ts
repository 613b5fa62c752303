// One lane of the kill -9 test: a data folder in which runs follow one another, each seen to the end
// by child processes that are SIGKILLed at seeded random moments (a time after spawn, the n-th
// journal record, the n-th step effect) and restarted, then checked against an uninterrupted run.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEXT_NAME } from '@symphony/editor-engine';
import { FileDagTracker } from '@symphony/pit';
import { type DocumentId, EFFECT_MARKERS_NAME, type RunEvent, type RunId } from '@symphony/schemas';
import type { SyncServer } from '@symphony/sync-server';
import { connect, synced } from '@symphony/sync-server/testing';
import * as prng from 'lib0/prng';
import * as Y from 'yjs';
import { workflowFileJson } from '../src/sources/workflow-file.js';
import type { Step } from '../src/steps/Step.js';
import {
  type KillChildArgs,
  type KillFact,
  killRunProblems,
  killWorkflow,
  readEffects,
  referenceRun,
} from '../src/testing.js';

const RUNNER = fileURLToPath(new URL('./fixtures/kill-runner.mjs', import.meta.url));
/** A life that is not to be killed must end within this (a hang is a failure, not a wait). */
const LIFE_WATCHDOG_MS = 180_000;
/** A run killed this many times without finishing is a run that cannot finish. */
const MAX_LIVES = 400;
/** SYMPHONY_KILL_VERBOSE=1: one line per life. */
const VERBOSE = process.env.SYMPHONY_KILL_VERBOSE === '1';

/** When a life is killed. */
export type KillPlan =
  | { readonly kind: 'time'; readonly ms: number }
  | { readonly kind: 'record'; readonly n: number }
  | { readonly kind: 'effect'; readonly n: number }
  | { readonly kind: 'none' };

/** What the lanes share: the server, the document, the kill budget, the tallies. */
export interface KillShared {
  readonly server: SyncServer;
  readonly token: string;
  readonly documentId: DocumentId;
  /** The real steps, for the reference runs. */
  readonly steps: ReadonlyMap<string, Step>;
  readonly seed: number;
  /** Kills wanted in all; once reached, runs are finished without more. */
  readonly killsWanted: number;
  /** Put into every child's environment, to find leftovers. */
  readonly tag: string;
  readonly tally: KillTally;
  /** Aborted when a lane fails: the others kill their child and stop. */
  readonly stop: AbortSignal;
}

/** What happened, for the report and the failure message. */
export interface KillTally {
  kills: number;
  lives: number;
  runs: number;
  /** Kills by plan kind. */
  readonly byPlan: Record<string, number>;
  /** Journals the children found torn and cut, artifact stores that removed a crashed put's leftovers. */
  tornJournals: number;
  storeRepairs: number;
  /** Warnings the executors logged (a cache entry that could not be used, …). */
  warnings: number;
  /** Every child's pid. */
  readonly pids: Set<number>;
}

interface Life {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly ms: number;
  /** When the child said it had loaded (ms after spawn), if it got that far. */
  readonly readyMs: number | undefined;
  readonly records: number;
  readonly effects: number;
  readonly stderr: string;
  readonly errors: readonly string[];
}

/** A data folder and the runs done in it, one after another. */
export class KillLane {
  readonly #dir: string;
  readonly #compileCache: string;
  readonly #shared: KillShared;
  readonly #gen: prng.PRNG;
  /** How long a life that ends by itself takes (a moving average, ms): the range of time kills. */
  #span = 2500;

  constructor(
    readonly index: number,
    root: string,
    shared: KillShared,
  ) {
    this.#dir = join(root, `lane-${index}`);
    this.#compileCache = join(root, 'compile-cache');
    this.#shared = shared;
    this.#gen = prng.create(shared.seed * 31 + index);
  }

  /** Runs until the kill budget is spent, one run after another. */
  async runUntilSpent(): Promise<void> {
    const { tally, killsWanted, stop } = this.#shared;
    for (let run = 0; tally.kills < killsWanted && !stop.aborted; run++) await this.runOne(run);
  }

  /** Starts run number `run` of this lane, sees it to the end through killed children, checks it. */
  async runOne(run: number): Promise<void> {
    const shared = this.#shared;
    const runId = `run_k${shared.seed.toString(36)}l${this.index}r${String(run).padStart(4, '0')}` as RunId;
    const seed = shared.seed * 1000 + this.index * 100_000 + run;
    const kill = killWorkflow({ seed, documentId: shared.documentId, salt: runId });
    const grant = join(this.#dir, 'sources', runId);
    await mkdir(grant, { recursive: true });
    for (const [path, text] of Object.entries(kill.files)) await writeFile(join(grant, path), text);
    const workflowFile = join(this.#dir, 'workflows', `${runId}.workflow.json`);
    await mkdir(join(this.#dir, 'workflows'), { recursive: true });
    await writeFile(workflowFile, workflowFileJson(kill.workflow));
    const reference = referenceRun(kill.workflow, { steps: shared.steps, grant, seed });
    reference.catch(() => {}); // awaited below; a lane stopped early never looks
    const args: KillChildArgs = {
      dir: this.#dir,
      syncUrl: `ws://127.0.0.1:${shared.server.port}/yjs`,
      token: shared.token,
      runId,
      workflowFile,
      grant,
      seed,
    };
    for (let lives = 0; ; lives++) {
      if (lives >= MAX_LIVES) throw new Error(`${runId} did not finish in ${MAX_LIVES} lives`);
      if (shared.stop.aborted) return;
      const plan = this.#plan();
      const life = await this.#life(args, plan);
      if (VERBOSE)
        console.log(
          `lane ${this.index} ${runId} life ${lives}: ${JSON.stringify(plan)} → ${life.signal ?? life.code} after ${Math.round(life.ms)} ms, ${life.records} records, ${life.effects} effects, ready at ${Math.round(life.readyMs ?? -1)} ms`,
        );
      if (shared.stop.aborted) return;
      // The executor complains only when something is wrong, killed or not (a run it cannot resume).
      if (life.errors.length > 0)
        throw new Error(
          `${runId}: a child reported errors:\n${life.errors.join('\n')}\nstderr:\n${life.stderr}`,
        );
      if (life.signal === 'SIGKILL' && plan.kind !== 'none') {
        shared.tally.kills++;
        shared.tally.byPlan[plan.kind] = (shared.tally.byPlan[plan.kind] ?? 0) + 1;
        continue;
      }
      if (life.code !== 0)
        throw new Error(
          `${runId}: a child ended with code ${life.code} (${life.signal}); stderr:\n${life.stderr}`,
        );
      this.#span = Math.max(500, Math.round(0.7 * this.#span + 0.3 * 1.5 * life.ms));
      // A child killed after `run.finished` leaves nothing to do: its successor exits without a word.
      if ((await this.#history(runId)).some((e) => e.type === 'run.finished')) break;
      throw new Error(`${runId}: a child exited 0 without finishing the run`);
    }
    const history = await this.#history(runId);
    const problems = killRunProblems({
      runId,
      history,
      effects: await readEffects(join(this.#dir, 'effects.ndjson')),
      document: await readDocument(shared.server, shared.documentId, shared.token),
      reference: await reference,
      pids: shared.tally.pids,
    });
    if (problems.length > 0) throw new Error(`${runId} broke its promises:\n${problems.join('\n')}`);
    shared.tally.runs++;
  }

  /** The run's journal as a fresh reader sees it (no child is alive when this is called). */
  async #history(runId: RunId): Promise<RunEvent[]> {
    const tracker = await FileDagTracker.open(join(this.#dir, 'runs'), { onWarning: () => {} });
    try {
      return await tracker.history(runId);
    } finally {
      await tracker.close();
    }
  }

  /** The next life's plan: none once the budget is spent; otherwise a seeded choice. */
  #plan(): KillPlan {
    if (this.#shared.tally.kills >= this.#shared.killsWanted) return { kind: 'none' };
    const roll = prng.real53(this.#gen);
    // Mostly early in a life (a run is then seen through by several, each resuming the last), now
    // and then anywhere in a whole fresh run (about 105 records and 50 effects).
    const far = prng.real53(this.#gen) < 0.15;
    if (roll < 0.4) return { kind: 'record', n: prng.int32(this.#gen, 1, far ? 120 : 30) };
    if (roll < 0.65) return { kind: 'effect', n: prng.int32(this.#gen, 1, far ? 55 : 15) };
    return { kind: 'time', ms: prng.int32(this.#gen, 0, this.#span) };
  }

  /** One child, killed as `plan` says (or not); resolves once it has exited and been reaped. */
  #life(args: KillChildArgs, plan: KillPlan): Promise<Life> {
    const started = performance.now();
    const child = spawn(process.execPath, [RUNNER, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Node's compile cache (written by the lives that exit by themselves) spares later lives
      // most of the parsing of Prettier, wink and the engine: a fifth of a life's time.
      env: { ...process.env, SYMPHONY_KILL_TAG: this.#shared.tag, NODE_COMPILE_CACHE: this.#compileCache },
    });
    const tally = this.#shared.tally;
    tally.lives++;
    if (child.pid !== undefined) tally.pids.add(child.pid);
    let records = 0;
    let effects = 0;
    let stderr = '';
    const errors: string[] = [];
    const kill = () => child.kill('SIGKILL');
    const stop = this.#shared.stop;
    stop.addEventListener('abort', kill);
    const timer = plan.kind === 'time' ? setTimeout(kill, plan.ms) : undefined;
    const watchdog = setTimeout(() => {
      errors.push(`a child lived longer than ${LIFE_WATCHDOG_MS} ms; killed`);
      kill();
    }, LIFE_WATCHDOG_MS);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    let readyMs: number | undefined;
    onLines(child, (fact) => {
      if (fact.kind === 'ready') readyMs = performance.now() - started;
      if (fact.kind === 'record' && ++records === (plan.kind === 'record' ? plan.n : 0)) kill();
      else if (fact.kind === 'effect' && ++effects === (plan.kind === 'effect' ? plan.n : 0)) kill();
      else if (fact.kind === 'log' && fact.level === 'journal') tally.tornJournals++;
      else if (fact.kind === 'log' && fact.level === 'error') errors.push(fact.message);
      else if (fact.kind === 'log' && fact.level === 'warn') tally.warnings++;
      else if (fact.kind === 'store' && fact.removedTemps + fact.tornBytes > 0) tally.storeRepairs++;
    });
    return new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        clearTimeout(watchdog);
        stop.removeEventListener('abort', kill);
        // Wait for stdout to drain: its last facts may still be in the pipe.
        const done = () =>
          resolve({
            code,
            signal,
            ms: performance.now() - started,
            readyMs,
            records,
            effects,
            stderr,
            errors,
          });
        if (child.stdout?.readableEnded) done();
        else child.stdout?.once('close', done);
      });
    });
  }
}

/** Calls `onFact` with every JSON line the child prints. */
function onLines(child: ChildProcess, onFact: (fact: KillFact) => void): void {
  let buffer = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      if (line.trim() !== '') onFact(JSON.parse(line) as KillFact);
    }
  });
}

/** The document as a fresh stock y-websocket client sees it once synced: text and effect markers. */
export async function readDocument(
  server: SyncServer,
  documentId: DocumentId,
  token: string,
): Promise<{ text: string; markers: Set<string> }> {
  const doc = new Y.Doc();
  const provider = connect(server, documentId, doc, token);
  try {
    await synced(provider);
    return {
      text: doc.getText(TEXT_NAME).toString(),
      markers: new Set(doc.getMap(EFFECT_MARKERS_NAME).keys()),
    };
  } finally {
    provider.destroy();
    doc.destroy();
  }
}
