/**
 * What the pit benchmark's cases share: data folders on the real disk (under `.test-output/`, never
 * `/tmp`, which may be a tmpfs where fsync costs nothing), an alternation of more than two sides,
 * clean-up on the way out and a watchdog.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** Every folder this run writes lives under here; removed at the end, also on SIGINT/SIGTERM. */
export const DATA_ROOT = join(process.cwd(), '.test-output', `bench-pit-${process.pid}`);

let dirCount = 0;

/** A new empty folder under {@link DATA_ROOT}, named for what it holds. */
export function freshDir(what: string): string {
  const dir = join(DATA_ROOT, `${++dirCount}-${what}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Removes `dir` and everything in it (off the clock, between runs). With `rm -rf` where there is
 * one: a store of 100,000 artifacts holds ~50,000 shard folders, and `rm` removes them in about
 * half the time of `fs.rmSync`.
 */
export function removeDir(dir: string): void {
  if (spawnSync('rm', ['-rf', dir]).status !== 0) rmSync(dir, { recursive: true, force: true });
}

/** Everything to undo on the way out, newest first. */
const cleanups: (() => void)[] = [() => removeDir(DATA_ROOT)];

/** Registers `cleanup` to run on exit, a signal or the watchdog; returns a function that runs it now. */
export function onCleanup(cleanup: () => void): () => void {
  cleanups.push(cleanup);
  return () => {
    const i = cleanups.indexOf(cleanup);
    if (i >= 0) cleanups.splice(i, 1);
    cleanup();
  };
}

/** Runs every registered clean-up once. */
export function cleanUpNow(): void {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      cleanup();
    } catch (error) {
      console.error('pit: clean-up failed:', error);
    }
  }
}

/** No single step should take this long; past it the run is broken, not slow. */
const STEP_TIMEOUT_MS = 180_000;
let phase = { what: 'starting', since: Date.now() };

/** Names what the benchmark is doing now, for the watchdog's message. */
export function enter(what: string): void {
  phase = { what, since: Date.now() };
}

/** Cleans up on SIGINT/SIGTERM, and exits when one step hangs. */
export function installGuards(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      console.error(`pit: ${signal}, stopping`);
      cleanUpNow();
      process.exit(130);
    });
  setInterval(() => {
    if (Date.now() - phase.since > STEP_TIMEOUT_MS) {
      console.error(`pit: stuck for over ${STEP_TIMEOUT_MS} ms while ${phase.what}`);
      cleanUpNow();
      process.exit(1);
    }
  }, 1000).unref();
}

/**
 * Runs `warmup` unrecorded rounds, then `pairs` recorded ones; each round runs every side once, so
 * drift in the machine's speed falls on all alike. The order rotates from round to round (A B C,
 * B C A, C A B, …): on a shared disk, a side that always runs right after another would inherit
 * its writeback. The harness's `alternate` does A B for two sides; a case with two anchors needs three.
 */
export async function rounds<K extends string, T>(options: {
  warmup: number;
  pairs: number;
  sides: Record<K, () => Promise<T>>;
  onRound?: (index: number, results: Record<K, T>) => void;
}): Promise<Record<K, T[]>> {
  const names = Object.keys(options.sides) as K[];
  const out = Object.fromEntries(names.map((name) => [name, [] as T[]])) as unknown as Record<K, T[]>;
  for (let i = 0; i < options.warmup + options.pairs; i++) {
    const results = {} as Record<K, T>;
    const order = [...names.slice(i % names.length), ...names.slice(0, i % names.length)];
    for (const name of order) results[name] = await options.sides[name]();
    if (i < options.warmup) continue;
    for (const name of names) out[name].push(results[name]);
    options.onRound?.(i - options.warmup, results);
  }
  return out;
}

/** Milliseconds `work` took. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
}

/** Writes all of `bytes` at the file's position (a write may take less than it was given). */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

/** Fsyncs a folder, so a file created or renamed in it survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A number for a log line: 3 significant digits, no exponent. */
export const fmt = (value: number): string =>
  Math.abs(value) >= 100 ? String(Math.round(value)) : String(Number(value.toPrecision(3)));
