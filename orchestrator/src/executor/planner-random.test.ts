// The scheduling core under seeded random executors that crash and resume, and on 10,000 nodes.
import { foldRun } from '@symphony/pit';
import {
  type NodeId,
  type RunError,
  type RunEvent,
  type RunId,
  RunOptions,
  type RunSource,
  type Workflow,
} from '@symphony/schemas';
import * as prng from 'lib0/prng';
import { describe, expect, it } from 'vitest';
import { buildRunGraph, type RunGraph } from './graph.js';
import { type PlannerCommand, type PlannerLimits, RunPlanner } from './planner.js';
import { dagWorkflow, layeredWorkflow, type TestNode, testLibrary } from './test-kit.js';

const runId = 'run_plannertest1' as RunId;
const source: RunSource = { kind: 'file', path: 'w.json', hash: '0'.repeat(64) } as RunSource;
const limits: PlannerLimits = {
  concurrency: 8,
  defaultMaxAttempts: 3,
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
};
const retryable: RunError = { code: 'timeout', message: 'took too long', retryable: true };
const fatal: RunError = { code: 'step_failed', message: 'broke', retryable: false };

const ok = (nodeId: NodeId, at = 0): RunEvent => ({
  type: 'node.succeeded',
  runId,
  at,
  nodeId,
  attempt: 1,
  outputs: {},
});

function graphOf(workflow: Workflow): RunGraph {
  return buildRunGraph(workflow, testLibrary);
}

/**
 * A simulated executor: each step gives random results in a random order, runs get cancelled,
 * and at random moments the planner is thrown away and rebuilt from the folded journal (a crash
 * and resume). Every seed must end with every node final, no node started before all its inputs
 * succeeded, the limits kept, and the status the rule gives.
 */
describe('RunPlanner under seeded random executors', () => {
  const SEEDS = Number(process.env.PLANNER_SEEDS ?? 150);

  function randomWorkflow(gen: prng.PRNG): Workflow {
    const count = prng.int31(gen, 1, 40);
    const nodes: TestNode[] = [];
    const edges: [string, string][] = [];
    for (let i = 0; i < count; i++) {
      const parents =
        i === 0
          ? []
          : [...new Set(Array.from({ length: prng.int31(gen, 0, 3) }, () => prng.int31(gen, 0, i - 1)))];
      nodes.push({
        id: `n${String(i).padStart(2, '0')}`,
        type: parents.length === 0 ? 't-source' : 't-join',
      });
      for (const p of parents)
        edges.push([`n${String(p).padStart(2, '0')}`, `n${String(i).padStart(2, '0')}`]);
    }
    return dagWorkflow(nodes, edges);
  }

  for (let seed = 1; seed <= SEEDS; seed++) {
    it(`seed ${seed}`, () => {
      const gen = prng.create(seed);
      const workflow = randomWorkflow(gen);
      const graph = graphOf(workflow);
      const plannerLimits: PlannerLimits = {
        ...limits,
        concurrency: prng.int31(gen, 1, 6),
        typeConcurrency: new Map([['t-join', prng.int31(gen, 1, 4)]]),
        backoffBaseMs: 10,
        backoffMaxMs: 100,
      };
      const random = () => prng.real53(gen);
      const journal: RunEvent[] = [
        { type: 'run.started', runId, at: 0, workflow, source, options: RunOptions.parse({}) },
      ];
      let planner = new RunPlanner(graph, plannerLimits, random);
      const record = (event: RunEvent) => {
        journal.push(event);
        planner.apply(event);
      };
      const running = new Map<NodeId, number>();
      let now = 0;
      let wake: number | undefined;
      let finished: string | undefined;
      for (let step = 0; step < 10_000 && finished === undefined; step++) {
        const state = foldRun(journal);
        for (const command of planner.next(now)) {
          if (command.kind === 'start') {
            const node = graph.nodes[graph.index.get(command.nodeId)!]!;
            for (const p of node.parents) {
              expect(['succeeded', 'cached']).toContain(state.nodes.get(graph.nodes[p]!.id)!.state);
            }
            expect(running.has(command.nodeId), `seed ${seed}: ${command.nodeId} started twice`).toBe(false);
            expect(command.attempt).toBeLessThanOrEqual(plannerLimits.defaultMaxAttempts);
            running.set(command.nodeId, command.attempt);
            record({
              type: 'node.running',
              runId,
              at: now,
              nodeId: command.nodeId,
              attempt: command.attempt,
            });
          } else if (command.kind === 'skip') {
            record({ type: 'node.skipped', runId, at: now, nodeId: command.nodeId, reason: command.reason });
          } else if (command.kind === 'cancel') {
            record({
              type: 'node.cancelled',
              runId,
              at: now,
              nodeId: command.nodeId,
              reason: command.reason,
            });
          } else if (command.kind === 'abort') {
            expect(running.has(command.nodeId)).toBe(true);
            running.delete(command.nodeId);
            record({
              type: 'node.cancelled',
              runId,
              at: now,
              nodeId: command.nodeId,
              reason: command.reason,
            });
          } else if (command.kind === 'wake') wake = command.at;
          else {
            finished = command.status;
            record({ type: 'run.finished', runId, at: now, status: command.status });
          }
        }
        expect(running.size, `seed ${seed}: global limit`).toBeLessThanOrEqual(plannerLimits.concurrency);
        const joins = [...running.keys()].filter((n) => graph.nodes[graph.index.get(n)!]!.type === 't-join');
        expect(joins.length, `seed ${seed}: type limit`).toBeLessThanOrEqual(
          plannerLimits.typeConcurrency!.get('t-join')!,
        );
        const roll = prng.real53(gen);
        if (roll < 0.03) {
          // A crash: the running attempts are lost; a new planner resumes from the journal.
          running.clear();
          planner = new RunPlanner(graph, plannerLimits, random, foldRun(journal));
        } else if (roll < 0.05) {
          const target = prng.bool(gen) ? undefined : prng.oneOf(gen, graph.nodes).id;
          record({ type: 'run.cancelRequested', runId, at: now, ...(target ? { nodeId: target } : {}) });
        } else if (running.size > 0) {
          const [nodeId, attempt] = prng.oneOf(gen, [...running]);
          running.delete(nodeId);
          const outcome = prng.real53(gen);
          if (outcome < 0.75) record({ ...ok(nodeId, now), attempt });
          else {
            const error = outcome < 0.92 ? retryable : fatal;
            const retryAt = planner.retryAt(nodeId, attempt, error, now);
            record(
              retryAt === undefined
                ? { type: 'node.failed', runId, at: now, nodeId, attempt, error }
                : { type: 'node.retrying', runId, at: now, nodeId, attempt, error, retryAt },
            );
          }
        } else if (wake !== undefined) {
          now = Math.max(now, wake);
          wake = undefined;
        } else now += 1;
      }
      const final = foldRun(journal);
      expect(finished, `seed ${seed}: the run did not finish`).toBeDefined();
      for (const [nodeId, node] of final.nodes) {
        expect(
          ['succeeded', 'cached', 'failed', 'cancelled', 'skipped'],
          `seed ${seed}: ${nodeId}`,
        ).toContain(node.state);
        if (node.state === 'skipped') {
          const parents = graph.nodes[graph.index.get(nodeId)!]!.parents.map(
            (p) => final.nodes.get(graph.nodes[p]!.id)!.state,
          );
          expect(parents.some((s) => s === 'failed' || s === 'cancelled' || s === 'skipped')).toBe(true);
        }
      }
      const states = [...final.nodes.values()].map((n) => n.state);
      const expected = states.includes('failed')
        ? 'failed'
        : states.includes('cancelled')
          ? 'cancelled'
          : 'succeeded';
      expect(finished).toBe(expected);
    });
  }
});

describe('RunPlanner on 10,000 nodes', () => {
  it('runs a layered 10,000-node DAG to the end with every node started once', () => {
    const graph = graphOf(layeredWorkflow(10_000, 100, 3));
    const planner = new RunPlanner(graph, { ...limits, concurrency: 64 }, Math.random);
    let started = 0;
    let finish: PlannerCommand | undefined;
    let inFlight: NodeId[] = [];
    while (finish === undefined) {
      for (const c of planner.next(0)) {
        if (c.kind === 'start') {
          started++;
          inFlight.push(c.nodeId);
        } else if (c.kind === 'finish') finish = c;
      }
      for (const nodeId of inFlight) planner.apply(ok(nodeId));
      inFlight = [];
    }
    expect(started).toBe(10_000);
    expect(finish).toEqual({ kind: 'finish', status: 'succeeded' });
  });
});
