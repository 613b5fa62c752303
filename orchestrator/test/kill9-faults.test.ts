// What a kill -9 cannot do on its own (a write syscall is never half done) but a crash of the machine
// or a bad disk can, on the embedded adapters in a temp folder: a run journal torn in the middle of
// its last record, and artifact blobs whose bytes changed on disk. Each is reported and recovered
// as designed: the torn record is dropped and its node runs again with the same idempotency key; a
// corrupt cached blob is a cache miss (warned) and is repaired; a corrupt input blob fails its
// consumer with `artifact_failed` naming the producer, and a re-run from the producer mends it.
import { mkdtempSync, rmSync } from 'node:fs';
import { open, readdir, readFile, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { decodeRecords, FileDagTracker, FsArtifactStore, foldRun, type JournalWarning } from '@symphony/pit';
import { type ArtifactHash, type NodeId, RunErrorCode, type RunId } from '@symphony/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { Executor } from '../src/index.js';
import { dagWorkflow, testLibrary, testSteps } from '../src/internal.js';
import type { StepContext } from '../src/steps/Step.js';
import { gate, source, statesOf } from './executor-harness.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

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
    ],
  );

/**
 * An executor on the files of `dir`, whose steps record their idempotency keys in `calls`; with
 * `hangIn`, that node's step never returns (it says so through `hung`), as a process about to die.
 */
async function openDir(dir: string, hangIn?: string) {
  const warnings: JournalWarning[] = [];
  const logged: string[] = [];
  const tracker = await FileDagTracker.open(join(dir, 'runs'), {
    onWarning: (_message, warning) => warnings.push(warning),
  });
  const store = await FsArtifactStore.open(join(dir, 'artifacts'));
  const calls: string[] = [];
  const hung = gate();
  const step = (run: (value: string, inputs: unknown[]) => string) => ({
    run: async (context: StepContext) => {
      calls.push(context.idempotencyKey);
      if (context.nodeId === hangIn) {
        hung.open();
        return new Promise<never>(() => {});
      }
      return { out: run(String(context.params.value), [...(context.inputs.in ?? [])]) };
    },
  });
  const steps = testSteps({
    't-source': step((value) => value),
    't-pass': step((value, inputs) => [value, ...inputs].join('+')),
    't-join': step((value, inputs) => [value, ...inputs].join('+')),
  });
  const executor = new Executor({
    tracker,
    store,
    steps,
    library: testLibrary,
    runsDir: join(dir, 'runs'),
    logger: { warn: (m) => logged.push(m), error: (m) => logged.push(m) },
  });
  const close = async () => {
    await executor.close();
    await Promise.all([tracker.close(), store.close()]);
  };
  return { tracker, store, executor, calls, hung: hung.promise, warnings, logged, close };
}

/** A run of the chain stopped while c's step runs, as a process killed there leaves it. */
async function stoppedInC(cache = true): Promise<{ dir: string; runId: RunId; calls: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'symphony-kill9-faults-'));
  dirs.push(dir);
  const first = await openDir(dir, 'c');
  const handle = await first.executor.start({ workflow: chain(), source, options: { cache } });
  await first.hung;
  await first.close();
  return { dir, runId: handle.runId, calls: first.calls };
}

async function flipFirstByte(path: string): Promise<void> {
  const file = await open(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, 0);
    byte[0] = byte[0]! ^ 0xff;
    await file.write(byte, 0, 1, 0);
  } finally {
    await file.close();
  }
}

/** The file of blob `hash`, wherever the store's sharding puts it under `blobs/`. */
async function blobPath(dir: string, hash: ArtifactHash): Promise<string> {
  const root = join(dir, 'artifacts', 'blobs');
  const found = (await readdir(root, { recursive: true })).find((name) => basename(name) === hash);
  if (found === undefined) throw new Error(`no blob file ${hash} under ${root}`);
  return join(root, found);
}

describe('Executor on files: a torn journal and corrupt blobs', () => {
  it('drops a journal record torn mid-write, reports it, and runs that node again with the same key', async () => {
    // Without the cache: b's cache entry is written only after its success record is durable, so a
    // crash that tears the record leaves no entry (here the entry would stand in for b, as cached).
    const { dir, runId, calls: before } = await stoppedInC(false);
    expect(before).toEqual([`${runId}/a/1`, `${runId}/b/1`, `${runId}/c/1`]);
    const journal = join(dir, 'runs', `${runId}.journal`);
    const bytes = await readFile(journal);
    const { records } = decodeRecords(bytes);
    const texts = records.map((r) => new TextDecoder().decode(r));
    const tornIndex = texts.findIndex((t) => t.includes('"node.succeeded"') && t.includes('"nodeId":"b"'));
    expect(tornIndex).toBeGreaterThan(0);
    const start = records.slice(0, tornIndex).reduce((sum, r) => sum + 8 + r.length, 0);
    // The crash came halfway through b's success record: its header and half its bytes are on disk.
    const cut = start + 8 + Math.floor(records[tornIndex]!.length / 2);
    await truncate(journal, cut);

    const second = await openDir(dir);
    const state = await (await second.executor.resume(runId)).done;
    expect(statesOf(state)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded' });
    expect(second.warnings).toEqual([
      expect.objectContaining({ runId, kind: 'torn', keptBytes: start, droppedBytes: cut - start }),
    ]);
    // a's success survived: it never runs again; b's was torn: b runs again, with the same key.
    expect(second.calls).toEqual([`${runId}/b/1`, `${runId}/c/1`]);
    await second.close();

    const third = await openDir(dir);
    const history = await third.tracker.history(runId);
    expect(third.warnings).toEqual([]);
    expect(history.filter((e) => e.type === 'node.succeeded').map((e) => 'nodeId' in e && e.nodeId)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(foldRun(history).status).toBe('succeeded');
    await third.close();
  });

  it('runs a node again, with a warning, when its cached blob is corrupt on disk, and mends the blob', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'symphony-kill9-faults-'));
    dirs.push(dir);
    const first = await openDir(dir);
    const done = await (await first.executor.start({ workflow: chain(), source })).done;
    await first.close();
    const hash = done.nodes.get('a' as NodeId)!.outputs!.out!;
    await flipFirstByte(await blobPath(dir, hash));

    const second = await openDir(dir);
    expect((await second.store.verify()).corrupt).toEqual([{ hash, problem: 'mismatch' }]);
    const again = await (await second.executor.start({ workflow: chain(), source })).done;
    expect(statesOf(again)).toEqual({ a: 'succeeded', b: 'cached', c: 'cached' });
    expect(second.calls.map((key) => key.split('/')[1])).toEqual(['a']);
    expect(second.logged.some((m) => m.includes('node a') && m.includes('corrupt'))).toBe(true);
    expect((await second.store.verify()).corrupt).toEqual([]);
    await second.close();
  });

  it('fails the consumer of a corrupt input blob with artifact_failed naming its producer; a re-run from the producer mends it', async () => {
    const { dir, runId } = await stoppedInC();
    const stopped = await openDir(dir);
    const b = foldRun(await stopped.tracker.history(runId)).nodes.get('b' as NodeId)!;
    await stopped.close();
    await flipFirstByte(await blobPath(dir, b.outputs!.out!));

    const second = await openDir(dir);
    const failed = await (await second.executor.resume(runId)).done;
    expect(failed.status).toBe('failed');
    const c = failed.nodes.get('c' as NodeId)!;
    expect(c.state).toBe('failed');
    expect(c.error?.code).toBe(RunErrorCode.artifactFailed);
    expect(c.error?.message).toContain('node b');
    expect(c.error?.message).toContain('re-run from b');
    expect(second.calls).toEqual([]);

    const rerun = await (
      await second.executor.rerun(runId, { workflow: chain(), source, from: 'b' as NodeId })
    ).done;
    expect(statesOf(rerun)).toEqual({ a: 'cached', b: 'succeeded', c: 'succeeded' });
    expect((await second.store.verify()).corrupt).toEqual([]);
    expect(new TextDecoder().decode(await second.store.get(b.outputs!.out!))).toBe('B+A');
    await second.close();
  });
});
