// `instruments stats` and `instruments rate` in-process, on a data dir with a journaled run and a
// router log, through a CliIo that captures output.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArbitrationEngine, FileDagTracker, FileRouterStore } from '@symphony/pit';
import { RunEvent, type RunId } from '@symphony/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { BadInputError, UsageError } from './errors.js';
import { instrumentsRateCommand, instrumentsStatsCommand } from './instruments-stats.js';
import type { CliIo } from './io.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function fakeIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), stderrIsTty: false, env: {} };
}

const runId = 'run_ratetest01' as RunId;

/** A data dir holding one run: `sum` summarized by openai/gpt-4o, `split` ran no instrument. */
async function dataDir(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'symphony-instruments-'));
  dirs.push(root);
  const tracker = await FileDagTracker.open(join(root, 'runs'));
  const events = [
    {
      type: 'run.started',
      runId,
      at: 1,
      workflow: {
        name: 'Rate me',
        nodes: {
          split: { type: 'split-text', kind: 'operator', params: {}, position: { x: 0, y: 0 } },
          sum: {
            type: 'summarize',
            kind: 'instrument',
            params: { model: 'gpt-4o' },
            position: { x: 1, y: 0 },
          },
        },
        edges: {},
      },
      source: { kind: 'file', path: 'w.json', hash: 'a'.repeat(64) },
      options: { cache: false, grants: [] },
    },
    { type: 'node.running', runId, at: 2, nodeId: 'sum', attempt: 1 },
    {
      type: 'node.succeeded',
      runId,
      at: 3,
      nodeId: 'sum',
      attempt: 1,
      outputs: { summary: 'b'.repeat(64) },
      usage: { instrument: 'openai', model: 'gpt-4o', inputTokens: 100, outputTokens: 20, costUsd: 0.0005 },
    },
    { type: 'node.running', runId, at: 4, nodeId: 'split', attempt: 1 },
    { type: 'node.succeeded', runId, at: 5, nodeId: 'split', attempt: 1, outputs: { parts: 'c'.repeat(64) } },
  ].map((e) => RunEvent.parse(e));
  await tracker.record(...events);
  await tracker.close();
  return root;
}

describe('symphony instruments stats', () => {
  it('says when nothing was learned, creating nothing', async () => {
    const root = await dataDir();
    const io = fakeIo();
    expect(await instrumentsStatsCommand(['--data-dir', root], io)).toBe(0);
    expect(io.out.join('')).toMatch(/learned nothing about any task/);
  });

  it('prints each arm and the greedy choice with why, and --json', async () => {
    const root = await dataDir();
    const store = await FileRouterStore.open(join(root, 'router'));
    const engine = await ArbitrationEngine.open({ store });
    for (let i = 0; i < 10; i++) {
      engine.record({
        arm: 'openai/gpt-4o',
        task: 'summarize',
        success: i !== 0,
        latencyMs: 1000,
        costUsd: 0.01,
        at: i,
      });
      engine.record({
        arm: 'openai/gpt-4o-mini',
        task: 'summarize',
        success: i !== 1,
        latencyMs: 500,
        costUsd: 0.001,
        at: i,
      });
    }
    await engine.flush();
    await store.close();

    const io = fakeIo();
    expect(await instrumentsStatsCommand(['--data-dir', root, '--task', 'summarize'], io)).toBe(0);
    const text = io.out.join('');
    expect(text).toContain('task summarize');
    expect(text).toMatch(/\* openai\/gpt-4o-mini\s+10\s+2\s+0\.833\s+10\s+500 ms\s+\$0\.00100/);
    expect(text).toMatch(
      /choice: openai\/gpt-4o-mini — the cheapest arm whose expected quality \(0\.833\) is within 5 % of the best \(0\.833\)/,
    );

    const json = fakeIo();
    await instrumentsStatsCommand(['--data-dir', root, '--json'], json);
    const [task] = json.out.map((l) => JSON.parse(l));
    expect(task).toMatchObject({
      task: 'summarize',
      choice: { chosen: 'openai/gpt-4o-mini', reason: 'learned' },
    });
    expect(task.arms).toHaveLength(2);
  });
});

describe('symphony instruments rate', () => {
  it('records a rating for the arm and task that ran the node', async () => {
    const root = await dataDir();
    const io = fakeIo();
    expect(await instrumentsRateCommand([runId, 'sum', 'bad', '--data-dir', root], io)).toBe(0);
    expect(io.out.join('')).toBe(`rated openai/gpt-4o bad for summarize (node sum of run ${runId})\n`);
    const stats = fakeIo();
    await instrumentsStatsCommand(['--data-dir', root, '--json'], stats);
    expect(JSON.parse(stats.out[0]!).arms[0]).toMatchObject({
      arm: 'openai/gpt-4o',
      alpha: 1,
      beta: 3,
      pulls: 0,
    });
  });

  it('refuses what cannot be rated, saying why', async () => {
    const root = await dataDir();
    const io = fakeIo();
    await expect(instrumentsRateCommand([runId, 'split', 'good', '--data-dir', root], io)).rejects.toThrow(
      /node split of run run_ratetest01 was not run by an AI instrument/,
    );
    await expect(instrumentsRateCommand([runId, 'nope', 'good', '--data-dir', root], io)).rejects.toThrow(
      BadInputError,
    );
    await expect(
      instrumentsRateCommand(['run_absent0001', 'sum', 'good', '--data-dir', root], io),
    ).rejects.toThrow(/no run run_absent0001/);
    await expect(instrumentsRateCommand([runId, 'sum', 'meh', '--data-dir', root], io)).rejects.toThrow(
      UsageError,
    );
  });
});
