/**
 * workflow-crdt: Symphony's workflow layer (the edit functions and `validateWorkflow` of
 * `@symphony/schemas`, applied through an automerge-repo `DocHandle`, as the product edits) against
 * raw `@automerge/automerge` doing the same edits by direct assignment, in one process.
 *
 * - build: a 10,000-node, ~15,000-edge layered DAG, one change per edit. Both documents grow side by
 *   side: ours runs a chunk of 1,000 edits, then the anchor runs the same 1,000, and so on, so every
 *   pair compares the same edits at the same document size (a whole build per side per pair would
 *   take over ten minutes: a change costs time proportional to the size of the map it touches).
 * - bytes / save / load: `Automerge.save` of each built document; ours loads through
 *   `repo.import`, the anchor through `Automerge.load`.
 * - validate: `validateWorkflow` on the loaded document against a bare Kahn topological sort of it.
 * - merge: two forks of the built document each take 1,000 different edits (adds, connects, moves,
 *   deletes); ours merges through `DocHandle.merge` and recomputes the validation verdicts (what
 *   every peer does on receiving changes), the anchor runs `Automerge.merge` alone.
 *
 * Every edit sequence comes from a seeded generator, so both sides make identical edits with
 * identical ids and build identical documents.
 */

import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as Automerge from '@automerge/automerge';
import { type DocHandle, Repo } from '@automerge/automerge-repo';
import {
  addNode,
  connect,
  deleteElements,
  type EdgeId,
  edgesAttachedTo,
  moveNodes,
  type NodeId,
  NodeLibrary,
  setParam,
  validateWorkflow,
  type Workflow,
  type WorkflowEdge,
  type WorkflowNode,
} from '@symphony/schemas';
import * as prng from 'lib0/prng';
import {
  alternate,
  type BenchCase,
  Direction,
  median,
  percentile,
  round,
  smoke,
  summarise,
  writeResult,
} from '../lib/harness.ts';

// A full collection before every timed step, on both sides, so one side does not pay for the
// other's garbage. run.mjs starts us without --expose-gc; this is the documented way round it.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
setFlagsFromString('--no-expose-gc');

/**
 * Collects garbage and lets finalizers run: Automerge frees a document's WASM memory from a
 * FinalizationRegistry callback, a task that never runs while the benchmark only awaits settled
 * promises. Without this the WASM heap grows by every dropped document and everything slows down.
 */
async function settle(): Promise<void> {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
}

const ANCHOR_NAME = 'raw @automerge/automerge 3.5, same edits by direct assignment';
const KAHN_NAME = "bare Kahn's topological sort of the same nodes and edges";

/** Sizes: the issue's workflow; smoke runs a tiny one. `BENCH_NODES` overrides, for investigating. */
const NODES = Number(process.env.BENCH_NODES ?? (smoke ? 300 : 10_000));
const LAYER_WIDTH = Math.max(10, Math.round(NODES / 100));
/** Edits per build pair; also the sample count behind each pair's percentiles. */
const CHUNK = smoke ? 100 : 1_000;
/** Edits each fork makes before the merge. */
const FORK_EDITS = smoke ? 50 : 1_000;
const pairs = {
  save: smoke ? 1 : 9,
  load: smoke ? 1 : 5,
  validate: smoke ? 1 : 15,
  merge: smoke ? 1 : 7,
  delete: smoke ? 1 : 9,
};
const warmup = smoke ? 0 : 1;

/**
 * Goals (the issue sets none). As for doc-sync, ours stays within 1.5× of the anchor wherever the
 * two do the same CRDT work: ours adds a DocHandle (heads comparison and a diff per change), the
 * edit functions' lookups, repo.import's clone, the validation after a merge. The saved document
 * must be the same size (5 % slack). Full validation (types, parameter schemas, ports, single
 * inputs, cycles by edge id, required inputs) against a bare topological sort: within an order of
 * magnitude, 10×.
 */
const GOAL = { crdt: 1.5, bytes: 1.05, validate: 10 } as const;

// ───────────────────────────── deterministic workload ─────────────────────────────

/** lib0's seeded generator, as floats in [0, 1). */
function rng(seed: number): () => number {
  const gen = prng.create(seed);
  return () => prng.real53(gen);
}

/** Ids shaped like `createNodeId()`/`createEdgeId()` (a letter and 15 hex digits), but seeded. */
function idMaker(random: () => number): (prefix: 'n' | 'e') => string {
  const seen = new Set<string>();
  return (prefix) => {
    for (;;) {
      let id = prefix;
      for (let i = 0; i < 15; i++) id += Math.floor(random() * 16).toString(16);
      if (!seen.has(id)) {
        seen.add(id);
        return id;
      }
    }
  };
}

type Edit =
  | { op: 'add'; id: NodeId; type: string; x: number; y: number; node: WorkflowNode }
  | { op: 'param'; id: NodeId; name: string; value: string }
  | { op: 'connect'; id: EdgeId; edge: WorkflowEdge }
  | { op: 'move'; id: NodeId; x: number; y: number }
  /** `edges`: the edges attached to the node in that copy, which the anchor deletes by name. */
  | { op: 'delete'; id: NodeId; edges: EdgeId[] };

/** Node types of the generated workflow: every output reads as text, every input takes text. */
const SOURCE_TYPE = 'llm-prompt';
const SINGLE_TYPES = ['summarize', 'translate', 'classify', 'validate-json'] as const;
const JOIN_TYPE = 'join-text';
/** Share of non-source nodes that are joins (2–4 inputs, 3 on average): edges ≈ 1.5 × nodes. */
const JOIN_SHARE = 0.2576;

function spec(type: string) {
  const found = NodeLibrary.get(type);
  if (!found) throw new Error(`workflow-crdt: node type ${type} missing from NodeLibrary`);
  return found;
}
const outPort = (type: string) => spec(type).outputs[0]!.name;
const inPort = (type: string) => spec(type).inputs[0]!.name;

/** What the generator knows of a copy of the workflow, to pick targets and list attached edges. */
interface Mirror {
  nodes: Map<NodeId, { type: string; layer: number }>;
  edges: Map<EdgeId, WorkflowEdge>;
  byLayer: NodeId[][];
}

function addEdit(mirror: Mirror, id: NodeId, type: string, layer: number, x: number, y: number): Edit {
  mirror.nodes.set(id, { type, layer });
  const inLayer = mirror.byLayer[layer];
  if (inLayer) inLayer.push(id);
  else mirror.byLayer[layer] = [id];
  const node: WorkflowNode = {
    type,
    kind: spec(type).kind,
    params: structuredClone({ ...spec(type).defaults }),
    position: { x, y },
  };
  return { op: 'add', id, type, x, y, node };
}

function connectEdit(mirror: Mirror, id: EdgeId, from: NodeId, to: NodeId): Edit {
  const edge: WorkflowEdge = {
    from: { node: from, port: outPort(mirror.nodes.get(from)!.type) },
    to: { node: to, port: inPort(mirror.nodes.get(to)!.type) },
  };
  mirror.edges.set(id, edge);
  return { op: 'connect', id, edge };
}

/**
 * The build: layer by layer, each node added, then (sources) given a prompt, then connected from
 * nodes of the previous three layers. A valid workflow: validation finds nothing.
 */
function buildScript(nodes: number, seed: number): { edits: Edit[]; mirror: Mirror } {
  const random = rng(seed);
  const newId = idMaker(random);
  const mirror: Mirror = { nodes: new Map(), edges: new Map(), byLayer: [] };
  const edits: Edit[] = [];
  for (let i = 0; i < nodes; i++) {
    const layer = Math.floor(i / LAYER_WIDTH);
    const x = layer * 320 + Math.round(random() * 40);
    const y = (i % LAYER_WIDTH) * 140 + Math.round(random() * 40);
    const id = newId('n') as NodeId;
    if (layer === 0) {
      edits.push(addEdit(mirror, id, SOURCE_TYPE, layer, x, y));
      edits.push({ op: 'param', id, name: 'prompt', value: `Draft section ${i + 1} of the report.` });
      continue;
    }
    const join = random() < JOIN_SHARE;
    const type = join ? JOIN_TYPE : SINGLE_TYPES[Math.floor(random() * SINGLE_TYPES.length)]!;
    edits.push(addEdit(mirror, id, type, layer, x, y));
    const wanted = join ? 2 + Math.floor(random() * 3) : 1;
    const from = new Set<NodeId>();
    while (from.size < wanted) {
      const back = 1 + Math.floor(random() * Math.min(3, layer));
      const pool = mirror.byLayer[layer - back]!;
      from.add(pool[Math.floor(random() * pool.length)]!);
    }
    for (const source of from) edits.push(connectEdit(mirror, newId('e') as EdgeId, source, id));
  }
  return { edits, mirror };
}

function cloneMirror(mirror: Mirror): Mirror {
  return {
    nodes: new Map(mirror.nodes),
    edges: new Map(mirror.edges),
    byLayer: mirror.byLayer.map((layer) => [...layer]),
  };
}

/**
 * One fork's edits on the built workflow: 25 % new join nodes, 25 % connections (forward into a
 * join; one in fifty backward, closing a cycle), 35 % moves, 15 % deletions of a node and its edges.
 * The two forks use different seeds, so they touch different nodes, and sometimes the same ones: a
 * move of a node the other fork deleted, an edge into a node the other deleted (dangling after the
 * merge).
 */
function forkScript(base: Mirror, count: number, seed: number): Edit[] {
  const random = rng(seed);
  const newId = idMaker(random);
  const mirror = cloneMirror(base);
  const live = () => {
    const layer = mirror.byLayer[Math.floor(random() * mirror.byLayer.length)]!;
    return layer.length > 0 ? layer[Math.floor(random() * layer.length)] : undefined;
  };
  const joinsIn = (layer: number) =>
    (mirror.byLayer[layer] ?? []).filter((id) => mirror.nodes.get(id)!.type === JOIN_TYPE);
  const edits: Edit[] = [];
  while (edits.length < count) {
    const roll = random();
    if (roll < 0.25) {
      const layer = 1 + Math.floor(random() * (mirror.byLayer.length - 1));
      const x = layer * 320 + 160;
      const y = Math.round(random() * LAYER_WIDTH * 140);
      edits.push(addEdit(mirror, newId('n') as NodeId, JOIN_TYPE, layer, x, y));
    } else if (roll < 0.5) {
      const from = live();
      if (!from) continue;
      const fromLayer = mirror.nodes.get(from)!.layer;
      const backward = random() < 0.02;
      const toLayer = backward
        ? Math.max(1, fromLayer - 1 - Math.floor(random() * 3))
        : fromLayer + 1 + Math.floor(random() * 3);
      const joins = joinsIn(toLayer).filter((id) => id !== from);
      if (joins.length === 0) continue;
      edits.push(
        connectEdit(mirror, newId('e') as EdgeId, from, joins[Math.floor(random() * joins.length)]!),
      );
    } else if (roll < 0.85) {
      const id = live();
      if (!id) continue;
      edits.push({ op: 'move', id, x: Math.round(random() * 32_000), y: Math.round(random() * 14_000) });
    } else {
      const id = live();
      if (!id) continue;
      const attached: EdgeId[] = [];
      for (const [edgeId, edge] of mirror.edges) {
        if (edge.from.node === id || edge.to.node === id) attached.push(edgeId);
      }
      for (const edgeId of attached) mirror.edges.delete(edgeId);
      const { layer } = mirror.nodes.get(id)!;
      mirror.nodes.delete(id);
      mirror.byLayer[layer] = mirror.byLayer[layer]!.filter((n) => n !== id);
      edits.push({ op: 'delete', id, edges: attached });
    }
  }
  return edits;
}

// ───────────────────────────── the two sides ─────────────────────────────

const EMPTY = { name: 'Benchmark workflow', nodes: {}, edges: {} } as Workflow;

/** Ours: one gesture, one `handle.change` calling the edit function of @symphony/schemas. */
function applyOurs(handle: DocHandle<Workflow>, edit: Edit): void {
  switch (edit.op) {
    case 'add':
      handle.change((d) => {
        addNode(d, edit.type, { x: edit.x, y: edit.y }, edit.id);
      });
      return;
    case 'param':
      handle.change((d) => setParam(d, edit.id, edit.name, edit.value));
      return;
    case 'connect':
      handle.change((d) => {
        connect(d, edit.edge.from, edit.edge.to, edit.id);
      });
      return;
    case 'move':
      handle.change((d) => moveNodes(d, new Map([[edit.id, { x: edit.x, y: edit.y }]])));
      return;
    case 'delete':
      {
        // As the board does it: attached edges read from the current doc, then one change.
        const edges = edgesAttachedTo(handle.doc(), [edit.id]);
        handle.change((d) => deleteElements(d, [edit.id], edges));
      }
      return;
  }
}

/** The anchor: the same change, written directly, with everything it needs precomputed. */
function applyAnchor(doc: Automerge.Doc<Workflow>, edit: Edit): Automerge.Doc<Workflow> {
  switch (edit.op) {
    case 'add':
      return Automerge.change(doc, (d) => {
        d.nodes[edit.id] = edit.node;
      });
    case 'param':
      return Automerge.change(doc, (d) => {
        d.nodes[edit.id]!.params[edit.name] = edit.value;
      });
    case 'connect':
      return Automerge.change(doc, (d) => {
        d.edges[edit.id] = edit.edge;
      });
    case 'move':
      return Automerge.change(doc, (d) => {
        const node = d.nodes[edit.id];
        if (!node) return;
        node.position.x = edit.x;
        node.position.y = edit.y;
      });
    case 'delete':
      return Automerge.change(doc, (d) => {
        for (const id of edit.edges) delete d.edges[id];
        delete d.nodes[edit.id];
      });
  }
}

/** Applies `edits[from, to)` one change each; returns the time of each edit in ms. */
function runOurs(handle: DocHandle<Workflow>, edits: readonly Edit[], from: number, to: number): number[] {
  const times: number[] = [];
  for (let i = from; i < to; i++) {
    const t0 = performance.now();
    applyOurs(handle, edits[i]!);
    times.push(performance.now() - t0);
  }
  return times;
}

function runAnchor(
  box: { doc: Automerge.Doc<Workflow> },
  edits: readonly Edit[],
  from: number,
  to: number,
): number[] {
  const times: number[] = [];
  for (let i = from; i < to; i++) {
    const t0 = performance.now();
    box.doc = applyAnchor(box.doc, edits[i]!);
    times.push(performance.now() - t0);
  }
  return times;
}

/** The bare minimum a workflow check does: Kahn's algorithm; returns how many nodes it ordered. */
function kahn(workflow: Workflow): number {
  const indegree = new Map<string, number>();
  const next = new Map<string, string[]>();
  for (const id of Object.keys(workflow.nodes)) indegree.set(id, 0);
  for (const edge of Object.values(workflow.edges)) {
    const from = edge.from.node;
    const to = edge.to.node;
    if (!indegree.has(from) || !indegree.has(to)) continue;
    indegree.set(to, indegree.get(to)! + 1);
    const list = next.get(from);
    if (list) list.push(to);
    else next.set(from, [to]);
  }
  const queue: string[] = [];
  for (const [id, degree] of indegree) if (degree === 0) queue.push(id);
  let ordered = 0;
  while (ordered < queue.length) {
    const id = queue[ordered++]!;
    for (const to of next.get(id) ?? []) {
      const left = indegree.get(to)! - 1;
      indegree.set(to, left);
      if (left === 0) queue.push(to);
    }
  }
  return ordered;
}

/** Prints one pair's figures, so a slow run shows where it is. */
const logPair = (what: string) => (i: number, o: number | undefined, a: number) =>
  console.log(`  ${what} pair ${i + 1}: ours ${o?.toFixed(1) ?? 'n/a'} ms | anchor ${a.toFixed(1)} ms`);

/** Times `work` after a settle(); the caller's pair is ours then anchor, each timed alike. */
async function timed<T>(work: () => T): Promise<{ ms: number; value: T }> {
  await settle();
  const t0 = performance.now();
  const value = work();
  return { ms: performance.now() - t0, value };
}

const sizeOf = (workflow: Workflow) =>
  `${Object.keys(workflow.nodes).length} nodes, ${Object.keys(workflow.edges).length} edges`;

function sameContent(a: Workflow, b: Workflow, what: string): void {
  const ja = JSON.stringify(Automerge.toJS(a as Automerge.Doc<Workflow>));
  const jb = JSON.stringify(Automerge.toJS(b as Automerge.Doc<Workflow>));
  if (ja !== jb) throw new Error(`workflow-crdt: ${what}: ours and the anchor hold different documents`);
}

/** A cost row from per-pair figures, timed ms unless `metric` says otherwise. */
function costCase(
  name: string,
  goal: number,
  runs: { ours: number[]; anchor: number[] },
  extra: { metric?: string; anchor_name?: string; samples?: number } = {},
): BenchCase {
  return summarise(
    {
      case: name,
      metric: extra.metric ?? 'ms',
      direction: Direction.cost,
      anchor_name: extra.anchor_name ?? ANCHOR_NAME,
      goal_ratio: goal,
      samples: extra.samples ?? runs.anchor.length,
    },
    runs.ours,
    runs.anchor,
  );
}

/**
 * A row from per-pair sample arrays: `pick` reduces one pair's samples to its figure (its ratio is
 * taken pair by pair), `total` all of a side's samples to the figure shown.
 */
function fromSamples(
  spec: { case: string; metric: string; goal_ratio: number },
  oursRuns: number[][],
  anchorRuns: number[][],
  pick: (samples: number[]) => number,
  total: (samples: number[]) => number,
): BenchCase {
  const ratios = oursRuns.map((run, i) => pick(run) / pick(anchorRuns[i]!));
  return {
    case: spec.case,
    metric: spec.metric,
    ours: round(total(oursRuns.flat())),
    anchor: round(total(anchorRuns.flat())),
    anchor_name: ANCHOR_NAME,
    ratio: round(median(ratios)),
    goal_ratio: spec.goal_ratio,
    samples: oursRuns.reduce((n, run) => n + run.length, 0),
    pairs: oursRuns.length,
  };
}
const sumOf = (samples: number[]) => samples.reduce((s, v) => s + v, 0);

// ───────────────────────────── run ─────────────────────────────

const startedAt = performance.now();
const since = () => `${((performance.now() - startedAt) / 1000).toFixed(0)} s`;
const cases: BenchCase[] = [];
const repo = new Repo({});
/**
 * A repo for one step, dropped after it (no network, no storage: nothing to shut down). Deleting
 * handles from a long-lived repo instead makes its throttled sync callbacks log timeouts later.
 */
const scratchRepo = () => new Repo({});

const script = buildScript(NODES, 20261124);
const edgeCount = script.mirror.edges.size;
const buildEdits = script.edits.length;
console.log(
  `workflow-crdt: ${NODES} nodes, ${edgeCount} edges, ${buildEdits} edits; chunks of ${CHUNK}${smoke ? ' (smoke)' : ''}`,
);

// Warm-up: a small build on each side, thrown away (JIT, WASM tiers, allocator).
{
  const small = buildScript(Math.min(NODES, 400), 7);
  const handle = scratchRepo().create<Workflow>(EMPTY);
  const box = { doc: Automerge.from<Workflow>(EMPTY) };
  runOurs(handle, small.edits, 0, small.edits.length);
  runAnchor(box, small.edits, 0, small.edits.length);
  Automerge.free(handle.doc());
  Automerge.free(box.doc);
}

// build: the two documents grow side by side, a chunk of edits at a time.
const ours = repo.create<Workflow>(EMPTY);
const anchorBox = { doc: Automerge.from<Workflow>(EMPTY) };
const chunks = Math.ceil(buildEdits / CHUNK);
const chunkEnd = (k: number) => Math.min(buildEdits, (k + 1) * CHUNK);
let chunk = 0;
const build = await alternate({
  warmup: 0,
  pairs: chunks,
  ours: async () => {
    await settle();
    return runOurs(ours, script.edits, chunk * CHUNK, chunkEnd(chunk));
  },
  anchor: async () => {
    await settle();
    const times = runAnchor(anchorBox, script.edits, chunk * CHUNK, chunkEnd(chunk));
    chunk++;
    return times;
  },
  onPair: (i, o, a) => {
    if (i % 5 === 4 || i === chunks - 1) {
      console.log(
        `  build chunk ${i + 1}/${chunks}: ours ${sumOf(o!).toFixed(0)} ms | anchor ${sumOf(a).toFixed(0)} ms (${since()})`,
      );
    }
  },
});
sameContent(ours.doc(), anchorBox.doc, 'build');
const builtSize = sizeOf(ours.doc());
const buildCase = `build ${NODES.toLocaleString('en')} nodes + ${edgeCount.toLocaleString('en')} edges by single edits`;
cases.push(
  fromSamples(
    { case: buildCase, metric: 'total_ms', goal_ratio: GOAL.crdt },
    build.ours,
    build.anchor,
    sumOf,
    sumOf,
  ),
  fromSamples(
    { case: buildCase, metric: 'p50_ms', goal_ratio: GOAL.crdt },
    build.ours,
    build.anchor,
    (s) => percentile(s, 50),
    (s) => percentile(s, 50),
  ),
  fromSamples(
    { case: buildCase, metric: 'p99_ms', goal_ratio: GOAL.crdt },
    build.ours,
    build.anchor,
    (s) => percentile(s, 99),
    (s) => percentile(s, 99),
  ),
);

// save, and the size of what is saved.
let oursBytes: Uint8Array = new Uint8Array();
let anchorBytes: Uint8Array = new Uint8Array();
const saves = await alternate({
  warmup,
  pairs: pairs.save,
  onPair: logPair('save'),
  ours: async () => {
    const { ms, value } = await timed(() => Automerge.save(ours.doc()));
    oursBytes = value;
    return ms;
  },
  anchor: async () => {
    const { ms, value } = await timed(() => Automerge.save(anchorBox.doc));
    anchorBytes = value;
    return ms;
  },
});
console.log(`  size: ours ${oursBytes.length} B, anchor ${anchorBytes.length} B`);
cases.push(
  costCase(
    'document size after the build',
    GOAL.bytes,
    { ours: [oursBytes.length], anchor: [anchorBytes.length] },
    { metric: 'bytes', samples: 1 },
  ),
  costCase('save (Automerge.save) after the build', GOAL.crdt, saves),
);

// load: ours through the repo, the anchor through Automerge.load.
let oursLoaded: Workflow | undefined;
let anchorLoaded: Automerge.Doc<Workflow> | undefined;
const loads = await alternate({
  warmup,
  pairs: pairs.load,
  onPair: logPair('load'),
  ours: async () => {
    if (oursLoaded) Automerge.free(oursLoaded);
    const fresh = scratchRepo();
    const { ms, value } = await timed(() => fresh.import<Workflow>(oursBytes).doc());
    oursLoaded = value;
    return ms;
  },
  anchor: async () => {
    if (anchorLoaded) Automerge.free(anchorLoaded);
    const { ms, value } = await timed(() => Automerge.load<Workflow>(anchorBytes));
    anchorLoaded = value;
    return ms;
  },
});
sameContent(oursLoaded!, anchorLoaded!, 'load');
cases.push(
  costCase('load the saved workflow', GOAL.crdt, loads, {
    anchor_name: `${ANCHOR_NAME} (Automerge.load; ours: repo.import)`,
  }),
);

// validate the loaded document.
let report: ReturnType<typeof validateWorkflow> | undefined;
let ordered = 0;
const validations = await alternate({
  warmup: smoke ? 0 : 2,
  pairs: pairs.validate,
  onPair: logPair('validate'),
  ours: async () => {
    const { ms, value } = await timed(() => validateWorkflow(oursLoaded!));
    report = value;
    return ms;
  },
  anchor: async () => {
    const { ms, value } = await timed(() => kahn(anchorLoaded!));
    ordered = value;
    return ms;
  },
});
if (!report!.ok || ordered !== NODES) {
  throw new Error(
    `workflow-crdt: the built workflow should be valid and acyclic: ${report!.findings.length} findings, ${ordered}/${NODES} nodes ordered`,
  );
}
cases.push(costCase('validate the loaded workflow', GOAL.validate, validations, { anchor_name: KAHN_NAME }));
Automerge.free(oursLoaded!);
Automerge.free(anchorLoaded!);

// merge: two forks, different edits each, merged back. The forks' edits are setup, made once with
// the raw API for both sides (through deleteElements they would take minutes: see the delete case);
// ours gets them as repo handles.
const forkA = forkScript(script.mirror, FORK_EDITS, 1);
const forkB = forkScript(script.mirror, FORK_EDITS, 2);
const anchorA = { doc: Automerge.clone(anchorBox.doc) };
const anchorB = { doc: Automerge.clone(anchorBox.doc) };
runAnchor(anchorA, forkA, 0, forkA.length);
runAnchor(anchorB, forkB, 0, forkB.length);
const oursA = repo.import<Workflow>(Automerge.save(anchorA.doc));
const oursB = repo.import<Workflow>(Automerge.save(anchorB.doc));
console.log(`  forks ready (${since()})`);
let merged: { ours?: Workflow; anchor?: Workflow; report?: ReturnType<typeof validateWorkflow> } = {};
const merges = await alternate({
  warmup,
  pairs: pairs.merge,
  onPair: logPair('merge'),
  ours: async () => {
    const local = scratchRepo().clone(oursA);
    const { ms, value } = await timed(() => {
      local.merge(oursB);
      return validateWorkflow(local.doc());
    });
    if (merged.ours) Automerge.free(local.doc());
    else merged = { ...merged, ours: local.doc(), report: value };
    return ms;
  },
  anchor: async () => {
    const local = Automerge.clone(anchorA.doc);
    const { ms, value } = await timed(() => Automerge.merge(local, anchorB.doc));
    if (merged.anchor) Automerge.free(value);
    else merged = { ...merged, anchor: value };
    return ms;
  },
});
sameContent(merged.ours!, merged.anchor!, 'merge');
const mergedSize = sizeOf(merged.ours!);
const rejected = new Map<string, number>();
for (const reason of merged.report!.rejectedEdges.values())
  rejected.set(reason, (rejected.get(reason) ?? 0) + 1);
cases.push(
  costCase(`merge 2 forks × ${FORK_EDITS.toLocaleString('en')} edits (ours + validate)`, GOAL.crdt, merges, {
    anchor_name: `${ANCHOR_NAME} (Automerge.merge alone)`,
  }),
);
for (const doc of [merged.ours!, merged.anchor!, anchorA.doc, anchorB.doc, oursA.doc(), oursB.doc()]) {
  Automerge.free(doc as Automerge.Doc<Workflow>);
}

// delete: one gesture on the built workflow, a node and its edges. Ours: edgesAttachedTo on the
// current doc (timed), then deleteElements in one change; the anchor names the edges precomputed.
const deletable = (() => {
  const random = rng(99);
  const chosen = new Set<NodeId>();
  const middle = script.mirror.byLayer.slice(1, -1).flat();
  while (chosen.size < warmup + pairs.delete) chosen.add(middle[Math.floor(random() * middle.length)]!);
  return [...chosen].map((id): Edit => {
    const edges = [...script.mirror.edges].filter(([, e]) => e.from.node === id || e.to.node === id);
    return { op: 'delete', id, edges: edges.map(([edgeId]) => edgeId) };
  });
})();
let deleted = 0;
const deletes = await alternate({
  warmup,
  pairs: pairs.delete,
  onPair: logPair('delete'),
  ours: async () => (await timed(() => applyOurs(ours, deletable[deleted]!))).ms,
  anchor: async () => {
    const { ms } = await timed(() => {
      anchorBox.doc = applyAnchor(anchorBox.doc, deletable[deleted]!);
    });
    deleted++;
    return ms;
  },
});
sameContent(ours.doc(), anchorBox.doc, 'delete');
cases.push(costCase('delete 1 node and its edges in the built workflow', GOAL.crdt, deletes));

const elapsed = (performance.now() - startedAt) / 1000;
const [load1, load5] = loadavg();
const notes = [
  `Workflow: ${NODES} nodes in ${Math.ceil(NODES / LAYER_WIDTH)} layers of ${LAYER_WIDTH}, ${edgeCount} edges (each node fed from the previous 3 layers; ${Math.round(JOIN_SHARE * 100)} % joins with 2–4 inputs), ${buildEdits} edits (add node, set the prompt of each source, connect); seeded, identical ids on both sides; valid (validation finds nothing).`,
  'Ours: @symphony/schemas addNode/setParam/connect/deleteElements inside DocHandle.change of an automerge-repo 2.5 Repo with no network and no storage; the anchor assigns the same values inside Automerge.change. Both documents were checked equal after build, load, merge and delete.',
  `Build: the two documents grow side by side, ${CHUNK} edits of ours then the same ${CHUNK} of the anchor (${chunks} pairs; ratio = median of per-chunk ratios; total_ms = sum over all edits; p50/p99 over all ${buildEdits} edits of each side, ratios per chunk). One build per side: a change costs time in proportion to the size of the map it touches (Automerge copies the changed map into the new immutable document), so a whole build per pair would not fit the time budget.`,
  `Size: Automerge.save of the built documents (${builtSize}), ours ${oursBytes.length} B, anchor ${anchorBytes.length} B.`,
  'Load: ours = repo.import(bytes) (Automerge.load, then a clone into a new handle and a heads/diff check), anchor = Automerge.load.',
  "Validate: validateWorkflow on the loaded document (a plain object tree: Automerge materialises on load) against Kahn's algorithm over the same nodes and edges.",
  `Merge: two forks (Automerge.clone of the built document) each take ${FORK_EDITS} edits (25 % new join nodes, 25 % connects, 2 % of them backward, 35 % moves, 15 % node deletions), made once with the raw API; ours holds them as repo handles (repo.import). Per pair a fresh clone of fork A merges fork B: ours = DocHandle.merge + validateWorkflow (what every peer computes), anchor = Automerge.merge. Merged: ${mergedSize}; rejected edges: ${[...rejected].map(([r, n]) => `${r} ${n}`).join(', ') || 'none'}.`,
  'Delete: one node of a middle layer per pair (different nodes, same on both sides), on the built documents, after everything else. Ours = edgesAttachedTo on the current doc (a scan of every edge, timed) then deleteElements in one DocHandle.change; anchor = the same deletions with the attached edges precomputed.',
  'Timing: performance.now() around each step; before each timed step (and each build chunk), on both sides, a full GC and a turn of the event loop so Automerge finalizers free dropped documents.',
  `Run took ${elapsed.toFixed(0)} s; load average at the end ${load1!.toFixed(2)} (1 min), ${load5!.toFixed(2)} (5 min) on ${cpus().length} cores.`,
];
if (NODES !== 10_000 && !smoke) notes.push(`Run at ${NODES} nodes (BENCH_NODES), not the issue's 10,000.`);

const path = writeResult({ name: 'workflow-crdt', cases, notes });
console.table(
  cases.map((c) => ({
    case: c.case,
    metric: c.metric,
    ours: c.ours,
    anchor: c.anchor,
    ratio: c.ratio,
    goal: c.goal_ratio,
  })),
);
console.log(`workflow-crdt: wrote ${path} in ${elapsed.toFixed(0)} s`);
await repo.shutdown();
process.exit(0);
