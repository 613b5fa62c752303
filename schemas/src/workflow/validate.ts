// Workflow validation: findings (errors and warnings) about nodes, edges and the whole graph, shared by board, OFB and orchestrator.
import { extensionIdOf } from './extension-node-types.js';
import type { EdgeId, NodeId, Workflow, WorkflowEdge } from './model.js';
import { canFlow, NodeLibrary, type NodeTypeSpec, type PortSpec } from './node-library.js';
import { paramProblems } from './param-messages.js';

/** What a finding is about. */
export type FindingTarget =
  | { readonly kind: 'node'; readonly id: NodeId }
  | { readonly kind: 'edge'; readonly id: EdgeId }
  | { readonly kind: 'workflow' };

/** Closed set of finding codes. */
export const FindingCode = {
  unknownNodeType: 'unknown-node-type',
  kindMismatch: 'kind-mismatch',
  missingParam: 'missing-param',
  invalidParam: 'invalid-param',
  missingInput: 'missing-input',
  danglingEdge: 'dangling-edge',
  unknownPort: 'unknown-port',
  incompatiblePorts: 'incompatible-ports',
  extraInput: 'extra-input',
  cycle: 'cycle',
  emptyWorkflow: 'empty-workflow',
  /** A document parameter names a document that is not in the workspace (deleted, or never was). */
  missingDocument: 'missing-document',
  /** A node reads a document the person may not read. */
  documentNotReadable: 'document-not-readable',
  /** A node writes into a document the person may not change (a viewer). */
  documentNotWritable: 'document-not-writable',
} as const;
export type FindingCode = (typeof FindingCode)[keyof typeof FindingCode];

/** One thing wrong with a workflow: what, where, and what to do about it. */
export interface Finding {
  readonly code: FindingCode;
  readonly severity: 'error' | 'warning';
  readonly target: FindingTarget;
  /** What is wrong, naming the node or edge. */
  readonly message: string;
  /** What to do about it. */
  readonly hint: string;
}

/**
 * Why an edge does not take part in the workflow. Rejected edges stay in the document, drawn as
 * rejected, so nobody's edit disappears silently; every peer computes the same verdicts from the
 * merged document alone.
 */
export const RejectReason = {
  /** One of its ends is a node that no longer exists (deleted while someone connected to it). */
  dangling: 'dangling',
  /** Its ports do not exist or their types do not fit. */
  invalidPorts: 'invalid-ports',
  /** A single-valued input already has an edge with a smaller id. */
  extraInput: 'extra-input',
  /** It closes a cycle: among the edges of a cycle, the one with the greatest id is rejected. */
  cycle: 'cycle',
} as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];

/** A workspace document, as validation needs to know it. */
export interface KnownDocument {
  readonly title: string;
  /** Whether the person may read it. */
  readonly canRead: boolean;
  /** Whether the person may change it. */
  readonly canWrite: boolean;
}

/** What validation may know beyond the workflow itself. */
export interface ValidationContext {
  /**
   * The workspace's documents by id. Given (the board knows the workspace and the person's role),
   * document parameters are checked against it; absent (OFB, the sync-server), they are not.
   */
  readonly documents?: ReadonlyMap<string, KnownDocument>;
}

/** Everything validation says about a workflow. */
export interface WorkflowReport {
  /** Sorted by target, then code: the same document always gives the same list. */
  readonly findings: readonly Finding[];
  /** Edges that do not take part, and why. */
  readonly rejectedEdges: ReadonlyMap<EdgeId, RejectReason>;
  /**
   * The params of every node of a known type whose params are valid, as its type's schema parsed
   * them (defaults filled in): what a run uses, so the orchestrator need not parse them again.
   */
  readonly params: ReadonlyMap<NodeId, Readonly<Record<string, unknown>>>;
  /** True when there is no error (warnings allowed). */
  readonly ok: boolean;
}

/**
 * Validates a workflow: node types, parameters against their schemas, required inputs (or one of
 * several, for a Join), edges (dangling, unknown ports, incompatible types, extra edges into a
 * single-valued input) and cycles.
 * Pure and deterministic: the client runs it on every change, the server runs it authoritatively.
 */
export function validateWorkflow(
  workflow: Workflow,
  library: ReadonlyMap<string, NodeTypeSpec> = NodeLibrary,
  context: ValidationContext = {},
): WorkflowReport {
  const findings: Finding[] = [];
  const rejected = new Map<EdgeId, RejectReason>();
  const params = new Map<NodeId, Readonly<Record<string, unknown>>>();
  // Nodes and edges by index (sorted ids), so the passes below look each one up once.
  const nodeIds = Object.keys(workflow.nodes).sort() as NodeId[];
  const edgeIds = Object.keys(workflow.edges).sort() as EdgeId[];
  const nodeIndex = new Map<NodeId, number>();
  const specs: (NodeTypeSpec | undefined)[] = new Array(nodeIds.length);
  /** Where each node's input ports start in the per-(node, input port) tables below. */
  const inputBase = new Int32Array(nodeIds.length + 1);
  for (let i = 0; i < nodeIds.length; i++) {
    const spec = library.get(workflow.nodes[nodeIds[i]!]!.type);
    nodeIndex.set(nodeIds[i]!, i);
    specs[i] = spec;
    inputBase[i + 1] = inputBase[i]! + (spec?.inputs.length ?? 0);
  }
  const nodeName = (id: NodeId): string => {
    const node = workflow.nodes[id];
    const spec = node ? library.get(node.type) : undefined;
    return `“${node?.label ?? spec?.title ?? node?.type ?? id}”`;
  };

  if (nodeIds.length === 0) {
    findings.push({
      code: FindingCode.emptyWorkflow,
      severity: 'warning',
      target: { kind: 'workflow' },
      message: 'The workflow has no nodes.',
      hint: 'Drag a node from the library, or start from a template.',
    });
  }

  // Nodes: type, kind, parameters.
  for (let i = 0; i < nodeIds.length; i++) {
    const id = nodeIds[i]!;
    const node = workflow.nodes[id]!;
    const spec = specs[i];
    const target = { kind: 'node', id } as const;
    if (!spec) {
      findings.push({
        code: FindingCode.unknownNodeType,
        severity: 'error',
        target,
        ...unknownTypeText(nodeName(id), node.type),
      });
      continue;
    }
    if (spec.kind !== node.kind) {
      findings.push({
        code: FindingCode.kindMismatch,
        severity: 'error',
        target,
        message: `${nodeName(id)} says it is an ${node.kind}, but a ${spec.title} node is an ${spec.kind}.`,
        hint: `Set its kind to “${spec.kind}” (re-import or recreate the node).`,
      });
    }
    const parsed = spec.params.safeParse(node.params);
    if (parsed.success) params.set(id, parsed.data as Record<string, unknown>);
    else {
      for (const problem of paramProblems(spec.params, node.params)) {
        const value = node.params[problem.param];
        const missing = value === undefined || (typeof value === 'string' && value.trim() === '');
        const isDocument = spec.documentParams?.[problem.param] !== undefined;
        findings.push({
          code: missing ? FindingCode.missingParam : FindingCode.invalidParam,
          severity: 'error',
          target,
          message: missing
            ? `${nodeName(id)} needs “${problem.label}”${isDocument ? ': no document is chosen' : ''}.`
            : `${nodeName(id)}: “${problem.label}” ${problem.text}.`,
          hint: isDocument
            ? `Pick a document for “${problem.label}” in the node's inspector.`
            : `Set “${problem.label}” in the node's inspector.`,
        });
      }
    }
    if (context.documents !== undefined)
      findings.push(...documentFindings(id, spec, node.params, context.documents, nodeName));
  }

  // Edges: ends exist, ports exist and fit.
  const edgeName = (edge: WorkflowEdge): string =>
    `The connection from ${nodeName(edge.from.node)} to ${nodeName(edge.to.node)}`;
  const edges: WorkflowEdge[] = new Array(edgeIds.length);
  const edgeFrom = new Int32Array(edgeIds.length);
  const edgeTo = new Int32Array(edgeIds.length);
  /** Per edge, its slot in the per-(node, input port) tables (an index past `inputBase`). */
  const edgeSlot = new Int32Array(edgeIds.length);
  const usable: number[] = [];
  for (let k = 0; k < edgeIds.length; k++) {
    const id = edgeIds[k]!;
    const edge = workflow.edges[id]!;
    edges[k] = edge;
    const target = { kind: 'edge', id } as const;
    const from = nodeIndex.get(edge.from.node);
    const to = nodeIndex.get(edge.to.node);
    if (from === undefined || to === undefined) {
      rejected.set(id, RejectReason.dangling);
      findings.push({
        code: FindingCode.danglingEdge,
        severity: 'error',
        target,
        message:
          from === undefined && to === undefined
            ? 'A connection joins two nodes that no longer exist.'
            : from !== undefined
              ? `A connection from ${nodeName(edge.from.node)} leads to a node that no longer exists.`
              : `A connection into ${nodeName(edge.to.node)} comes from a node that no longer exists.`,
        hint: 'Delete the edge, or reconnect it to an existing node.',
      });
      continue;
    }
    const fromSpec = specs[from];
    const toSpec = specs[to];
    if (!fromSpec || !toSpec) {
      rejected.set(id, RejectReason.invalidPorts);
      continue; // the unknown node type is reported on the node
    }
    const out = portNamed(fromSpec.outputs, edge.from.port);
    const inputIndex = portIndex(toSpec.inputs, edge.to.port);
    const into = inputIndex < 0 ? undefined : toSpec.inputs[inputIndex]!;
    if (!out || !into) {
      rejected.set(id, RejectReason.invalidPorts);
      const which = !out
        ? `an output “${edge.from.port}” of ${nodeName(edge.from.node)}`
        : `an input “${edge.to.port}” of ${nodeName(edge.to.node)}`;
      findings.push({
        code: FindingCode.unknownPort,
        severity: 'error',
        target,
        message: `${edgeName(edge)} uses ${which}, which does not exist.`,
        hint: 'Delete the edge and connect existing ports.',
      });
      continue;
    }
    if (!canFlow(out.type, into.type)) {
      rejected.set(id, RejectReason.invalidPorts);
      findings.push({
        code: FindingCode.incompatiblePorts,
        severity: 'error',
        target,
        message: `${edgeName(edge)} sends ${out.type} into “${into.label}”, which takes ${into.type}.`,
        hint: `Connect an output of type ${into.type}, or put a converting node in between.`,
      });
      continue;
    }
    edgeFrom[k] = from;
    edgeTo[k] = to;
    edgeSlot[k] = inputBase[to]! + inputIndex;
    usable.push(k);
  }

  // Single-valued inputs: the edge with the smallest id wins.
  const slots = inputBase[nodeIds.length]!;
  const taken = new Uint8Array(slots);
  const connected: number[] = [];
  for (const k of usable) {
    const edge = edges[k]!;
    const slot = edgeSlot[k]!;
    const into = specs[edgeTo[k]!]!.inputs[slot - inputBase[edgeTo[k]!]!]!;
    if (!into.multiple && taken[slot] === 1) {
      rejected.set(edgeIds[k]!, RejectReason.extraInput);
      findings.push({
        code: FindingCode.extraInput,
        severity: 'error',
        target: { kind: 'edge', id: edgeIds[k]! },
        message: `${edgeName(edge)} is a second one into “${into.label}”, which takes one; the first is kept.`,
        hint: 'Delete one of the two edges, or join the inputs first with a Join node.',
      });
      continue;
    }
    taken[slot] = 1;
    connected.push(k);
  }

  // Cycles.
  for (const k of edgesClosingCycles(nodeIds.length, edges, edgeFrom, edgeTo, connected)) {
    const id = edgeIds[k]!;
    rejected.set(id, RejectReason.cycle);
    findings.push({
      code: FindingCode.cycle,
      severity: 'error',
      target: { kind: 'edge', id },
      message: `${edgeName(edges[k]!)} closes a cycle, so it is not used.`,
      hint: 'Delete this edge or another edge of the cycle: a workflow must run in one direction.',
    });
  }

  // Required inputs, counting only edges that take part.
  const fed = new Uint8Array(slots);
  for (const k of connected) if (!rejected.has(edgeIds[k]!)) fed[edgeSlot[k]!] = 1;
  for (let i = 0; i < nodeIds.length; i++) {
    const id = nodeIds[i]!;
    const spec = specs[i];
    if (!spec) continue;
    const base = inputBase[i]!;
    const inputs = spec.inputs;
    for (let p = 0; p < inputs.length; p++) {
      const input = inputs[p]!;
      if (input.required && fed[base + p] !== 1) {
        findings.push({
          code: FindingCode.missingInput,
          severity: 'error',
          target: { kind: 'node', id },
          message: `${nodeName(id)} needs its input “${input.label}” (${input.type}) connected.`,
          hint: `Drag an edge from an output of type ${input.type} to it.`,
        });
      }
    }
    if (!ONE_OF_INPUTS.has(spec.type)) continue;
    const isFed = (port: string): boolean => {
      const p = portIndex(inputs, port);
      return p >= 0 && fed[base + p] === 1;
    };
    const oneOf = oneOfFinding(id, spec, isFed, nodeName);
    if (oneOf) findings.push(oneOf);
  }

  findings.sort(compareFindings);
  return {
    findings,
    rejectedEdges: rejected,
    params,
    ok: !findings.some((f) => f.severity === 'error'),
  };
}

function portNamed(ports: readonly PortSpec[], name: string): PortSpec | undefined {
  for (const port of ports) if (port.name === name) return port;
  return undefined;
}

/** The index of the port named `name` in `ports`, or -1. */
function portIndex(ports: readonly PortSpec[], name: string): number {
  for (let i = 0; i < ports.length; i++) if (ports[i]!.name === name) return i;
  return -1;
}

/**
 * Node types that need at least one of several inputs connected, none of which is required alone: a
 * Join with nothing to join is a mistake, but its texts or its list are each enough.
 */
const ONE_OF_INPUTS: ReadonlyMap<string, readonly string[]> = new Map([['join-text', ['parts', 'list']]]);

/**
 * A missing-input finding for a node of a type in {@link ONE_OF_INPUTS} when none of those inputs
 * is fed. Ports the type does not have are ignored (a library of other node types).
 */
function oneOfFinding(
  id: NodeId,
  spec: NodeTypeSpec,
  isFed: (port: string) => boolean,
  nodeName: (id: NodeId) => string,
): Finding | undefined {
  const names = ONE_OF_INPUTS.get(spec.type) ?? [];
  const ports = spec.inputs.filter((p) => names.includes(p.name));
  if (ports.length === 0 || ports.some((p) => isFed(p.name))) return undefined;
  return {
    code: FindingCode.missingInput,
    severity: 'error',
    target: { kind: 'node', id },
    message: `${nodeName(id)} needs its input ${ports.map((p) => `“${p.label}”`).join(' or ')} connected.`,
    hint: `Drag an edge ${ports.map((p) => `from an output of type ${p.type} to “${p.label}”`).join(', or ')}.`,
  };
}

/**
 * Findings about the documents a node names: each must be in the workspace, readable, and, for a
 * node that writes, writable by the person. An empty parameter is a missing-param finding already.
 */
function documentFindings(
  id: NodeId,
  spec: NodeTypeSpec,
  params: Readonly<Record<string, unknown>>,
  documents: ReadonlyMap<string, KnownDocument>,
  nodeName: (id: NodeId) => string,
): Finding[] {
  const findings: Finding[] = [];
  const target = { kind: 'node', id } as const;
  for (const [param, access] of Object.entries(spec.documentParams ?? {})) {
    const value = params[param];
    if (typeof value !== 'string' || value.trim() === '') continue;
    const label = (spec.params.shape[param] as { description?: string } | undefined)?.description ?? param;
    const known = documents.get(value);
    if (known === undefined) {
      findings.push({
        code: FindingCode.missingDocument,
        severity: 'error',
        target,
        message: `${nodeName(id)}: the document chosen for “${label}” is not in this workspace (deleted, or never was).`,
        hint: `Pick a document for “${label}” in the node's inspector.`,
      });
    } else if (!known.canRead) {
      findings.push({
        code: FindingCode.documentNotReadable,
        severity: 'error',
        target,
        message: `${nodeName(id)}: you may not read “${known.title}”.`,
        hint: 'Pick a document you can open, or ask its owner for access.',
      });
    } else if (access === 'write' && !known.canWrite) {
      findings.push({
        code: FindingCode.documentNotWritable,
        severity: 'error',
        target,
        message: `${nodeName(id)}: you may not change “${known.title}”, so it cannot be written.`,
        hint: 'Pick a document you can edit, or ask the workspace owner for edit access.',
      });
    }
  }
  return findings;
}

/**
 * Edges to reject so the graph is acyclic: taking edges in ascending id order, an edge is
 * rejected when the edges accepted so far already lead from its target back to its source. For a
 * single cycle that is exactly its greatest id. Only edges inside a strongly connected component
 * can close a cycle, so the incremental check runs only there (linear time for acyclic graphs).
 * Edges are given by index (`connected`, ascending id order) with their ends' node indices.
 */
function edgesClosingCycles(
  nodeCount: number,
  edges: readonly WorkflowEdge[],
  edgeFrom: Int32Array,
  edgeTo: Int32Array,
  connected: readonly number[],
): number[] {
  const component = stronglyConnectedComponents(nodeCount, edgeFrom, edgeTo, connected);
  const candidates: number[] = [];
  for (const k of connected) {
    const from = edgeFrom[k]!;
    const to = edgeTo[k]!;
    if (from === to || component[from] === component[to]) candidates.push(k);
  }
  if (candidates.length === 0) return [];
  const accepted = new Map<NodeId, NodeId[]>();
  const reaches = (start: NodeId, goal: NodeId): boolean => {
    const stack = [start];
    const seen = new Set<NodeId>([start]);
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node === goal) return true;
      for (const next of accepted.get(node) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    return false;
  };
  const rejected: number[] = [];
  for (const k of candidates) {
    const { from, to } = edges[k]!;
    if (reaches(to.node, from.node)) rejected.push(k);
    else {
      const list = accepted.get(from.node);
      if (list) list.push(to.node);
      else accepted.set(from.node, [to.node]);
    }
  }
  return rejected;
}

/**
 * Tarjan's algorithm, iterative (no recursion limit on 10,000-node workflows), over node indices:
 * the component of each node. Which number a component gets does not matter, only which nodes share one.
 */
function stronglyConnectedComponents(
  nodeCount: number,
  edgeFrom: Int32Array,
  edgeTo: Int32Array,
  connected: readonly number[],
): Int32Array {
  // Adjacency in compressed rows: the successors of node v are next[start[v]] … next[start[v + 1] − 1].
  const start = new Int32Array(nodeCount + 1);
  for (const k of connected) start[edgeFrom[k]! + 1]!++;
  for (let v = 0; v < nodeCount; v++) start[v + 1]! += start[v]!;
  const next = new Int32Array(connected.length);
  const fill = start.slice(0, nodeCount);
  for (const k of connected) next[fill[edgeFrom[k]!]!++] = edgeTo[k]!;
  const index = new Int32Array(nodeCount).fill(-1);
  const low = new Int32Array(nodeCount);
  const onStack = new Uint8Array(nodeCount);
  const stack = new Int32Array(nodeCount);
  let stackSize = 0;
  const component = new Int32Array(nodeCount);
  // The depth-first path: a node and how many of its successors it has visited.
  const pathNode = new Int32Array(nodeCount);
  const pathChild = new Int32Array(nodeCount);
  let counter = 0;
  let components = 0;
  for (let root = 0; root < nodeCount; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    pathNode[0] = root;
    pathChild[0] = 0;
    while (depth >= 0) {
      const node = pathNode[depth]!;
      const child = pathChild[depth]!;
      if (child === 0) {
        index[node] = counter;
        low[node] = counter;
        counter++;
        stack[stackSize++] = node;
        onStack[node] = 1;
      }
      const first = start[node]!;
      if (child < start[node + 1]! - first) {
        pathChild[depth] = child + 1;
        const w = next[first + child]!;
        if (index[w] === -1) {
          depth++;
          pathNode[depth] = w;
          pathChild[depth] = 0;
        } else if (onStack[w] === 1) low[node] = Math.min(low[node]!, index[w]!);
        continue;
      }
      depth--;
      if (depth >= 0) {
        const parent = pathNode[depth]!;
        low[parent] = Math.min(low[parent]!, low[node]!);
      }
      if (low[node] === index[node]) {
        let w: number;
        do {
          w = stack[--stackSize]!;
          onStack[w] = 0;
          component[w] = components;
        } while (w !== node);
        components++;
      }
    }
  }
  return component;
}

function targetKey(t: FindingTarget): string {
  return t.kind === 'workflow' ? '0' : `${t.kind === 'node' ? '1' : '2'}${t.id}`;
}

function compareFindings(a: Finding, b: Finding): number {
  const ka = targetKey(a.target);
  const kb = targetKey(b.target);
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/** What to say about a node of a type the library does not have: an extension's, or none at all. */
function unknownTypeText(name: string, type: string): { message: string; hint: string } {
  const extension = extensionIdOf(type);
  if (extension !== undefined) {
    return {
      message: `${name} is provided by the extension ${extension}, which is not enabled here.`,
      hint: `Install and enable it ("symphony extensions install <folder>"), or replace the node.`,
    };
  }
  return {
    message: `${name} is of an unknown type, “${type}”.`,
    hint: 'Replace it with a node from the library, or delete it.',
  };
}
