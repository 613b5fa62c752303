// Random board gestures on a Workflow, drawn from a seeded generator: what the convergence and
// burst tests of /automerge make their clients do.
import {
  addNode,
  connect,
  deleteElements,
  type EdgeId,
  edgesAttachedTo,
  moveNodes,
  NodeId,
  NodeLibrary,
  setParam,
  type Workflow,
} from '@symphony/schemas';
import * as prng from 'lib0/prng';

/** Node types whose text ports connect to each other, so random edges can close cycles. */
const TEXT_TYPES = ['llm-prompt', 'summarize', 'translate', 'join-text', 'note'] as const;

/**
 * One random board gesture on `workflow`, drawn from `gen` (a `lib0/prng` generator): add a node, connect two nodes
 * (which may close a cycle or feed a single-valued input twice), delete a node with its edges or an
 * edge, move a node, or edit a parameter. Ids come from `gen` too, so a seed replays the same
 * edge ids and the same cycle verdicts. Read `current` (the handle's doc, outside the change) to
 * choose; apply the returned mutation inside `handle.change`.
 */
export function randomGesture(current: Workflow, gen: prng.PRNG): (draft: Workflow) => void {
  const pick = <T>(items: readonly T[]): T => prng.oneOf(gen, items as T[]);
  const random = () => prng.real53(gen);
  const id = (prefix: string): string =>
    prefix +
    prng
      .uint53(gen, 0, 36 ** 10 - 1)
      .toString(36)
      .padStart(10, '0');
  const nodes = Object.keys(current.nodes) as NodeId[];
  const edges = Object.keys(current.edges) as EdgeId[];
  const roll = random();
  const at = () => ({ x: Math.round(random() * 2000), y: Math.round(random() * 1200) });

  if (nodes.length < 2 || roll < 0.25) {
    const type = pick(TEXT_TYPES);
    const nodeId = NodeId.parse(id('n'));
    const position = at();
    return (d) => {
      addNode(d, type, position, nodeId);
    };
  }
  if (roll < 0.5) {
    const from = pick(nodes);
    const to = pick(nodes);
    const fromPort = NodeLibrary.get(current.nodes[from]!.type)?.outputs[0]?.name ?? 'out';
    const toPort = NodeLibrary.get(current.nodes[to]!.type)?.inputs[0]?.name ?? 'in';
    const edgeId = id('e') as EdgeId;
    return (d) => {
      connect(d, { node: from, port: fromPort }, { node: to, port: toPort }, edgeId);
    };
  }
  if (roll < 0.62) {
    const doomed = pick(nodes);
    const attached = edgesAttachedTo(current, [doomed]);
    return (d) => deleteElements(d, [doomed], attached);
  }
  if (roll < 0.7 && edges.length > 0) {
    const edge = pick(edges);
    return (d) => deleteElements(d, [], [edge]);
  }
  if (roll < 0.85) {
    const moved = new Map([[pick(nodes), at()]]);
    return (d) => moveNodes(d, moved);
  }
  const node = pick(nodes);
  const params = Object.keys(NodeLibrary.get(current.nodes[node]!.type)?.defaults ?? {});
  const name = params.length > 0 ? pick(params) : 'text';
  const value = random() < 0.5 ? `text ${id('')}` : Math.round(random() * 3000) / 1000;
  return (d) => setParam(d, node, name, value);
}
