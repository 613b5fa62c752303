// The executor on the embedded adapters, FileDagTracker and FsArtifactStore, in a temp folder: a
// stop and resume with every file reopened, the cache across a restart, and a real process killed
// with SIGKILL mid-step whose run another process resumes to the end.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileDagTracker, FsArtifactStore, foldRun } from '@symphony/pit';
import type { NodeId } from '@symphony/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { Executor } from '../src/index.js';
import { dagWorkflow, testLibrary, testSteps } from '../src/internal.js';
import { source, statesOf } from './executor-harness.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'symphony-executor-files-'));
  dirs.push(dir);
  return dir;
}

const chain = () =>
  dagWorkflow(
    [
      { id: 'a', type: 't-source', value: 'A' },
      { id: 'b', type: 't-pass', value: 'B' },
      { id: 'c', type: 't-join', value: 'C' },
    ],
    [
      ['a', 'b'],
      ['b', 'c'],
      ['a', 'c'],
    ],
  );

async function open(dir: string, hangIn?: string) {
  const tracker = await FileDagTracker.open(join(dir, 'runs'), { onWarning: () => {} });
  const store = await FsArtifactStore.open(join(dir, 'artifacts'));
  const calls: string[] = [];
  let hanging!: () => void;
  const hung = new Promise<void>((resolve) => {
    hanging = resolve;
  });
  const steps = testSteps({
    't-join': {
      run: async (context) => {
        calls.push(context.idempotencyKey);
        if (context.nodeId === hangIn) {
          hanging();
          return new Promise<never>(() => {});
        }
        return { out: ['C', ...(context.inputs.in ?? []).map(String)].join('+') };
      },
    },
  });
  const executor = new Executor({ tracker, store, steps, library: testLibrary, runsDir: join(dir, 'runs') });
  return { tracker, store, executor, calls, hung };
}

describe('Executor on FileDagTracker and FsArtifactStore', () => {
  it('resumes from the files after a stop, and serves the next run from the cache after a restart', async () => {
    const dir = tempDir();
    const first = await open(dir, 'c');
    const run = await first.executor.start({ workflow: chain(), source });
    await first.hung;
    await first.executor.close();
    await run.done.catch(() => {});
    await first.tracker.close();
    await first.store.close();

    const second = await open(dir);
    const [resumed] = await second.executor.resumeAll();
    expect(resumed?.runId).toBe(run.runId);
    const state = await resumed!.done;
    expect(state.status).toBe('succeeded');
    expect(first.calls).toEqual([`${run.runId}/c/1`]);
    expect(second.calls).toEqual([`${run.runId}/c/1`]);
    const out = state.nodes.get('c' as NodeId)!.outputs!.out!;
    expect(new TextDecoder().decode(await second.store.get(out))).toBe('C+B+A+A');
    await second.tracker.close();
    await second.store.close();

    const third = await open(dir);
    const again = await (await third.executor.start({ workflow: chain(), source })).done;
    expect(statesOf(again)).toEqual({ a: 'cached', b: 'cached', c: 'cached' });
    expect(third.calls).toEqual([]);
    expect((await third.tracker.runs()).sort()).toEqual([run.runId, again.runId].sort());
    await third.tracker.close();
    await third.store.close();
  });

  it('a process killed with SIGKILL mid-step: another process resumes the run to the end, each effect keyed the same', async () => {
    const dir = tempDir();
    const child = fileURLToPath(new URL('./fixtures/executor-child.mjs', import.meta.url));
    const first = spawn(process.execPath, [child, dir, 'start'], { env: { ...process.env, HANG: 'c' } });
    const facts = lines(first);
    const runId = (await facts.until((f) => 'runId' in f)).runId as string;
    await facts.until((f) => f.hanging === 'c');
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));

    const second = spawn(process.execPath, [child, dir, 'resume'], { env: { ...process.env, HANG: '' } });
    const end = await lines(second).until((f) => 'status' in f);
    expect(end).toEqual({
      runId,
      status: 'succeeded',
      states: { a: 'succeeded', b: 'succeeded', c: 'succeeded', x: 'succeeded' },
    });
    const effects = readFileSync(join(dir, 'effects'), 'utf8').trim().split('\n');
    const count = (key: string) => effects.filter((e) => e === key).length;
    // b succeeded (durably) before c started: never again. c was mid-step: again, with the same key.
    // x ran beside c and may or may not have been recorded before the kill: at least once.
    expect(new Set(effects)).toEqual(new Set([`${runId}/b/1`, `${runId}/c/1`, `${runId}/x/1`]));
    expect(count(`${runId}/b/1`)).toBe(1);
    expect(count(`${runId}/c/1`)).toBe(2);
    expect(count(`${runId}/x/1`)).toBeGreaterThanOrEqual(1);
    const tracker = await FileDagTracker.open(join(dir, 'runs'), { onWarning: () => {} });
    const history = await tracker.history(runId as never);
    expect(foldRun(history).status).toBe('succeeded');
    await tracker.close();
  });
});

/** The JSON lines a child prints, awaitable one condition at a time. */
function lines(child: ChildProcess) {
  const seen: Record<string, unknown>[] = [];
  const waiters: {
    matches: (f: Record<string, unknown>) => boolean;
    resolve: (f: Record<string, unknown>) => void;
  }[] = [];
  let buffer = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const fact = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
      buffer = buffer.slice(newline + 1);
      seen.push(fact);
      for (const waiter of waiters.splice(0)) {
        if (waiter.matches(fact)) waiter.resolve(fact);
        else waiters.push(waiter);
      }
      newline = buffer.indexOf('\n');
    }
  });
  return {
    until(matches: (f: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
      const found = seen.find(matches);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        waiters.push({ matches, resolve });
        child.once('exit', (code) =>
          reject(new Error(`child exited (${code}) before the expected line: ${stderr}`)),
        );
      });
    },
  };
}
