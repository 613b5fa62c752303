// The acceptance suite every DagTracker adapter runs (runDagTrackerTests): round trip, order, runs,
// restart, refusal of invalid events, 64 concurrent writers, subscribers, close.
import type { RunEvent, RunId } from '@symphony/schemas';
import { RunEvent as RunEventSchema } from '@symphony/schemas';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DagTracker } from '../DagTracker.js';
import { PitInputError } from '../errors.js';

/** A tracker under test, and how to get a new one over the same storage ("restart"). */
export interface DagTrackerFixture {
  tracker: DagTracker;
  /** A new tracker over the same storage, as a restarted process would open it. */
  reopen(): Promise<DagTracker>;
  /** Removes the storage; called after every tracker the test opened is closed. */
  cleanup(): Promise<void>;
}

/** A run id as the orchestrator makes them (time-ordered): run `n` sorts after run `n - 1`. */
export function testRunId(n: number): RunId {
  return `run_${n.toString(36).padStart(9, '0')}acceptance` as RunId;
}

/** A literal as a RunEvent: ids in literals are plain strings, the schema brands them. */
const event = (literal: object) => literal as RunEvent;

/** A `run.started` event with a small valid workflow. */
export function startedEvent(runId: RunId, at = 1): RunEvent {
  return event({
    type: 'run.started',
    runId,
    at,
    workflow: {
      name: 'Acceptance',
      nodes: {
        split: { type: 'split-text', kind: 'operator', params: { by: 'line' }, position: { x: 0, y: 0 } },
        join: { type: 'join', kind: 'operator', params: {}, position: { x: 200, y: 0 } },
      },
      edges: { e1: { from: { node: 'split', port: 'parts' }, to: { node: 'join', port: 'parts' } } },
    },
    source: { kind: 'file', path: 'workflow.json', hash: 'a'.repeat(64) },
    options: { cache: true, grants: [] },
  });
}

/** A `node.queued` event: `nodeId` tells events apart. */
export function queuedEvent(runId: RunId, nodeId: string, at = 2): RunEvent {
  return event({ type: 'node.queued', runId, at, nodeId });
}

/** A short run: started, one node through succeeded, finished. */
export function lifecycleEvents(runId: RunId): RunEvent[] {
  return [
    startedEvent(runId),
    queuedEvent(runId, 'split'),
    event({ type: 'node.running', runId, at: 3, nodeId: 'split', attempt: 1 }),
    event({
      type: 'node.succeeded',
      runId,
      at: 4,
      nodeId: 'split',
      attempt: 1,
      outputs: { parts: 'b'.repeat(64) },
      cacheKey: 'c'.repeat(64),
    }),
    event({
      type: 'node.failed',
      runId,
      at: 5,
      nodeId: 'join',
      attempt: 1,
      error: { code: 'step_failed', message: 'ünïcödé ✓ — "quoted"\n', retryable: false, details: { n: 1 } },
    }),
    event({ type: 'run.finished', runId, at: 6, status: 'failed' }),
  ];
}

/** What a tracker returns for `events`: the schema's output (defaults filled in). */
const normalized = (events: readonly RunEvent[]) => events.map((e) => RunEventSchema.parse(e));

/**
 * The behaviour every {@link DagTracker} adapter promises; each adapter's test file calls this with
 * a factory. Each test gets a fresh fixture.
 */
export function runDagTrackerTests(name: string, makeFixture: () => Promise<DagTrackerFixture>): void {
  describe(`DagTracker: ${name}`, () => {
    let fixture: DagTrackerFixture;
    let opened: DagTracker[];
    const reopen = async () => {
      const tracker = await fixture.reopen();
      opened.push(tracker);
      return tracker;
    };
    /** Closes the tracker, as a process does before it stops, and opens a new one on the storage. */
    const restart = async () => {
      await fixture.tracker.close();
      return reopen();
    };

    beforeEach(async () => {
      fixture = await makeFixture();
      opened = [fixture.tracker];
    });
    afterEach(async () => {
      for (const tracker of opened) await tracker.close();
      await fixture.cleanup();
    });

    it('returns recorded events from history, and nothing for an unknown run', async () => {
      const run = testRunId(1);
      const events = lifecycleEvents(run);
      await fixture.tracker.record(...events);
      expect(await fixture.tracker.history(run)).toEqual(normalized(events));
      expect(await fixture.tracker.history(testRunId(2))).toEqual([]);
      await fixture.tracker.record();
      expect(await fixture.tracker.history(run)).toHaveLength(events.length);
    });

    it('keeps the order of events within a run, across calls and across runs in one call', async () => {
      const [a, b] = [testRunId(1), testRunId(2)];
      await fixture.tracker.record(startedEvent(a));
      for (let i = 0; i < 20; i++) await fixture.tracker.record(queuedEvent(a, `n${i}`));
      await fixture.tracker.record(
        startedEvent(b),
        queuedEvent(a, 'x'),
        queuedEvent(b, 'y'),
        queuedEvent(a, 'z'),
      );
      const nodes = (events: RunEvent[]) => events.map((e) => ('nodeId' in e ? e.nodeId : e.type));
      expect(nodes(await fixture.tracker.history(a))).toEqual([
        'run.started',
        ...Array.from({ length: 20 }, (_, i) => `n${i}`),
        'x',
        'z',
      ]);
      expect(nodes(await fixture.tracker.history(b))).toEqual(['run.started', 'y']);
    });

    it('lists every run with events, oldest first', async () => {
      expect(await fixture.tracker.runs()).toEqual([]);
      const ids = Array.from({ length: 12 }, (_, i) => testRunId(100 + i));
      for (const id of ids) await fixture.tracker.record(startedEvent(id));
      await fixture.tracker.record(queuedEvent(ids[0]!, 'later'));
      expect(await fixture.tracker.runs()).toEqual(ids);
    });

    it('rebuilds exactly the same histories after a restart', async () => {
      const ids = Array.from({ length: 5 }, (_, i) => testRunId(10 + i));
      for (const id of ids)
        await fixture.tracker.record(...lifecycleEvents(id).slice(0, 2 + (ids.indexOf(id) % 4)));
      const before = await Promise.all(ids.map((id) => fixture.tracker.history(id)));
      const reopened = await restart();
      expect(await reopened.runs()).toEqual(ids);
      expect(await Promise.all(ids.map((id) => reopened.history(id)))).toEqual(before);
      await reopened.record(queuedEvent(ids[0]!, 'after-restart'));
      expect((await reopened.history(ids[0]!)).at(-1)).toMatchObject({ nodeId: 'after-restart' });
    });

    it('refuses an invalid event with PitInputError and writes nothing of the call', async () => {
      const [a, b] = [testRunId(1), testRunId(2)];
      await fixture.tracker.record(startedEvent(a));
      const invalid: unknown[] = [
        { type: 'node.queued', runId: a, at: 1 },
        { type: 'node.running', runId: a, at: 1, nodeId: 'n', attempt: 0 },
        { type: 'node.teleported', runId: a, at: 1, nodeId: 'n' },
        { type: 'node.queued', runId: 'not-a-run', at: 1, nodeId: 'n' },
        { type: 'node.queued', runId: a, at: -1, nodeId: 'n' },
        { ...startedEvent(a), workflow: { name: '', nodes: {}, edges: {} } },
        null,
        'node.queued',
      ];
      for (const bad of invalid) {
        await expect(
          fixture.tracker.record(queuedEvent(a, 'valid'), startedEvent(b), bad as RunEvent),
          JSON.stringify(bad),
        ).rejects.toThrow(PitInputError);
      }
      await expect(fixture.tracker.history('run_?' as RunId)).rejects.toThrow(PitInputError);
      expect(await fixture.tracker.history(a)).toEqual(normalized([startedEvent(a)]));
      expect(await fixture.tracker.history(b)).toEqual([]);
      expect(await fixture.tracker.runs()).toEqual([a]);
      const reopened = await restart();
      expect(await reopened.history(a)).toEqual(normalized([startedEvent(a)]));
      expect(await reopened.runs()).toEqual([a]);
    });

    it('makes the records of 64 concurrent writers durable, each in its caller’s order', async () => {
      const runs = Array.from({ length: 4 }, (_, i) => testRunId(i + 1));
      for (const run of runs) await fixture.tracker.record(startedEvent(run));
      const perWriter = 8;
      const writer = async (w: number) => {
        for (let k = 0; k < perWriter; k++)
          await fixture.tracker.record(queuedEvent(runs[w % 4]!, `w${w}-${k}`));
      };
      await Promise.all(Array.from({ length: 64 }, (_, w) => writer(w)));
      const reopened = await restart();
      for (const [r, run] of runs.entries()) {
        const nodes = (await reopened.history(run)).flatMap((e) =>
          e.type === 'node.queued' ? [e.nodeId] : [],
        );
        expect(nodes).toHaveLength((64 / 4) * perWriter);
        for (let w = r; w < 64; w += 4) {
          const mine = nodes.filter((n) => n.startsWith(`w${w}-`));
          expect(mine).toEqual(Array.from({ length: perWriter }, (_, k) => `w${w}-${k}`));
        }
      }
    });

    it('tells subscribers each durable event in order, for every run or for one', async () => {
      const [a, b] = [testRunId(1), testRunId(2)];
      const all: RunEvent[] = [];
      const onlyA: RunEvent[] = [];
      const stored: Promise<RunEvent[]>[] = [];
      const stopAll = fixture.tracker.subscribe((event) => {
        all.push(event);
        stored.push(fixture.tracker.history(event.runId));
      });
      fixture.tracker.subscribe((event) => onlyA.push(event), a);
      await fixture.tracker.record(...lifecycleEvents(a).slice(0, 3), startedEvent(b));
      await expect(fixture.tracker.record(queuedEvent(a, 'never'), { type: 'bad' } as never)).rejects.toThrow(
        PitInputError,
      );
      await fixture.tracker.record(queuedEvent(b, 'b1'));
      stopAll();
      await fixture.tracker.record(queuedEvent(a, 'a-after-stop'));
      const expectedA = normalized([...lifecycleEvents(a).slice(0, 3), queuedEvent(a, 'a-after-stop')]);
      expect(all).toEqual(
        normalized([...lifecycleEvents(a).slice(0, 3), startedEvent(b), queuedEvent(b, 'b1')]),
      );
      expect(onlyA).toEqual(expectedA);
      // Each event was in the journal by the time its subscriber heard of it.
      const histories = await Promise.all(stored);
      for (const [i, event] of all.entries()) expect(histories[i]).toContainEqual(event);
    });

    it('drops a throwing subscriber without failing record or the other subscribers', async () => {
      const report = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const run = testRunId(1);
        let thrown = 0;
        const heard: RunEvent[] = [];
        fixture.tracker.subscribe(() => {
          thrown++;
          throw new Error('subscriber bug');
        });
        fixture.tracker.subscribe((event) => heard.push(event));
        await fixture.tracker.record(startedEvent(run));
        await fixture.tracker.record(queuedEvent(run, 'n1'));
        expect(thrown).toBe(1);
        expect(heard).toHaveLength(2);
        expect(await fixture.tracker.history(run)).toHaveLength(2);
      } finally {
        report.mockRestore();
      }
    });

    it('waits for records in flight on close, then refuses new ones', async () => {
      const run = testRunId(1);
      const inFlight = [fixture.tracker.record(startedEvent(run))];
      for (let i = 0; i < 30; i++) inFlight.push(fixture.tracker.record(queuedEvent(run, `n${i}`)));
      const settled = Promise.all(inFlight);
      await fixture.tracker.close();
      await settled;
      await expect(fixture.tracker.record(queuedEvent(run, 'late'))).rejects.toThrow(/closed/);
      const reopened = await reopen();
      expect(await reopened.history(run)).toHaveLength(31);
    });
  });
}
