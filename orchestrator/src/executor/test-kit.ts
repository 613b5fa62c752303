// Small node types, steps and workflow builders for the executor's tests and the bench: a node
// library with a source, a pass-through and a join, and steps that do nothing or what a test says.
import {
  DataType,
  type EdgeId,
  type NodeId,
  NodeKind,
  NodeLibrary,
  type NodeTypeSpec,
  type Workflow,
} from '@symphony/schemas';
import { z } from 'zod';
import type { Step, StepContext, StepValue } from '../steps/Step.js';
import type { Clock, ClockTimer } from './options.js';

const text = DataType.text;

/**
 * Node types for tests and benchmarks, beside the real library: `t-source` (no input, one text
 * output), `t-pass` (one text input, one text output), `t-join` (any number of text inputs), and
 * `t-sink` (one text input, no output). Each takes an optional `value` string param.
 */
export const testNodeTypes: readonly NodeTypeSpec[] = [
  spec('t-source', [], [{ name: 'out', type: text, label: 'Out' }]),
  spec(
    't-pass',
    [{ name: 'in', type: text, label: 'In', required: true }],
    [{ name: 'out', type: text, label: 'Out' }],
  ),
  spec(
    't-join',
    [{ name: 'in', type: text, label: 'In', multiple: true }],
    [{ name: 'out', type: text, label: 'Out' }],
  ),
  spec('t-sink', [{ name: 'in', type: text, label: 'In', required: true }], []),
];

/** The real node library plus {@link testNodeTypes}. */
export const testLibrary: ReadonlyMap<string, NodeTypeSpec> = new Map([
  ...NodeLibrary,
  ...testNodeTypes.map((s) => [s.type, s] as const),
]);

function spec(type: string, inputs: NodeTypeSpec['inputs'], outputs: NodeTypeSpec['outputs']): NodeTypeSpec {
  return {
    type,
    kind: NodeKind.operator,
    title: type,
    description: `test node type ${type}`,
    category: 'Test',
    inputs,
    outputs,
    params: z.object({ value: z.string().max(1000).default('') }),
    defaults: { value: '' },
  };
}

/** A node of a {@link dagWorkflow}: its id and test type. */
export interface TestNode {
  readonly id: string;
  readonly type: 't-source' | 't-pass' | 't-join' | 't-sink' | 'note';
  readonly value?: string;
}

/**
 * A workflow of test nodes. `edges` are `[from, to]` node ids, from output `out` into input `in`;
 * edge ids are `e` + a zero-padded index, so edge order is the order given.
 */
export function dagWorkflow(
  nodes: readonly TestNode[],
  edges: readonly (readonly [string, string])[],
): Workflow {
  const workflow: Workflow = { name: 'test', nodes: {}, edges: {} };
  for (const node of nodes) {
    workflow.nodes[node.id as NodeId] = {
      type: node.type,
      kind: node.type === 'note' ? NodeKind.addon : NodeKind.operator,
      params: node.type === 'note' ? { text: node.value ?? '' } : { value: node.value ?? '' },
      position: { x: 0, y: 0 },
    };
  }
  edges.forEach(([from, to], i) => {
    workflow.edges[`e${String(i).padStart(6, '0')}` as EdgeId] = {
      from: { node: from as NodeId, port: 'out' },
      to: { node: to as NodeId, port: 'in' },
    };
  });
  return workflow;
}

/**
 * A layered DAG of `count` nodes, `width` per layer: layer 0 are sources, every other node joins
 * up to `fanIn` nodes of the layer before. The shape the bench's 10,000-node no-op run uses.
 */
export function layeredWorkflow(count: number, width: number, fanIn = 2): Workflow {
  const nodes: TestNode[] = [];
  const edges: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const layer = Math.floor(i / width);
    const id = `n${i}`;
    nodes.push({ id, type: layer === 0 ? 't-source' : 't-join' });
    if (layer === 0) continue;
    const previous = (layer - 1) * width;
    for (let k = 0; k < fanIn; k++) edges.push([`n${previous + ((i + k) % width)}`, id]);
  }
  return dagWorkflow(nodes, edges);
}

/**
 * A step for a test node type that returns `out` = its `value` param followed by its inputs,
 * joined with `+` (so a result shows the path it came along), or what `run` returns when given.
 */
export function testStep(type: TestNode['type'], options: Partial<Step> = {}): Step {
  return {
    type,
    version: '1',
    deterministic: true,
    async run(context: StepContext): Promise<Readonly<Record<string, StepValue>>> {
      if (type === 't-sink') return {};
      const parts = [String(context.params.value ?? ''), ...(context.inputs.in ?? []).map(String)];
      return { out: parts.filter((p) => p !== '').join('+') };
    },
    ...options,
  };
}

/** Steps for every test node type, with `overrides` by type. */
export function testSteps(overrides: Readonly<Record<string, Partial<Step>>> = {}): Map<string, Step> {
  const types = ['t-source', 't-pass', 't-join', 't-sink'] as const;
  return new Map(types.map((t) => [t, testStep(t, overrides[t])]));
}

/**
 * A clock that moves only when told: `advance(ms)` fires the timers that come due, in time order.
 * Timeouts, backoff and polling are tested with it, never with sleeps.
 */
export class ManualClock implements Clock {
  #now: number;
  #sequence = 0;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): ClockTimer {
    const id = ++this.#sequence;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(timer: ClockTimer): void {
    this.#timers.delete(timer as number);
  }

  /** When the earliest pending timer fires, or undefined when none is pending. */
  nextAt(): number | undefined {
    let next: number | undefined;
    for (const { at } of this.#timers.values()) if (next === undefined || at < next) next = at;
    return next;
  }

  /** Moves time forward by `ms`, firing every timer that comes due on the way, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers)
        if (entry[1].at <= end && (due === undefined || entry[1].at < due[1].at)) due = entry;
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].at);
      due[1].callback();
    }
    this.#now = end;
  }
}
