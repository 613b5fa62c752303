// The workflow model: nodes, edges, port references and positions as zod schemas with branded ids, and its export file.
import { z } from 'zod';
import { plainText } from '../text.js';

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A node's id within its workflow. */
export const NodeId = z
  .string()
  .regex(ID_PATTERN, 'node id must be 1–64 letters, digits, "_" or "-"')
  .brand<'NodeId'>();
export type NodeId = z.infer<typeof NodeId>;

/**
 * An edge's id within its workflow. Ids are compared as strings: when concurrent edits close a
 * cycle, the edge with the greatest id is the one rejected, so every peer picks the same one.
 */
export const EdgeId = z
  .string()
  .regex(ID_PATTERN, 'edge id must be 1–64 letters, digits, "_" or "-"')
  .brand<'EdgeId'>();
export type EdgeId = z.infer<typeof EdgeId>;

/** A workflow's id: the automerge-repo document id it lives in. */
export const WorkflowId = z.string().min(1).max(128).brand<'WorkflowId'>();
export type WorkflowId = z.infer<typeof WorkflowId>;

/** What a node is: an AI step, a utility step, or an annotation that does not run. */
export const NodeKind = { instrument: 'instrument', operator: 'operator', addon: 'addon' } as const;
export type NodeKind = (typeof NodeKind)[keyof typeof NodeKind];

/** A point on the board, in board units. */
export const Position = z.object({ x: z.number().finite(), y: z.number().finite() });
export type Position = z.infer<typeof Position>;

/** One step of a workflow. `params` are checked against its node type's schema by validation. */
export const WorkflowNode = z.object({
  type: z.string().min(1).max(64),
  kind: z.enum([NodeKind.instrument, NodeKind.operator, NodeKind.addon]),
  params: z.record(z.string(), z.unknown()),
  position: Position,
  /** A label shown instead of the node type's title; optional. */
  label: z.string().max(200).optional(),
});
export type WorkflowNode = z.infer<typeof WorkflowNode>;

/** One end of an edge: a port on a node. */
export const PortRef = z.object({ node: NodeId, port: z.string().min(1).max(64) });
export type PortRef = z.infer<typeof PortRef>;

/** Data flows from an output port to an input port. */
export const WorkflowEdge = z.object({ from: PortRef, to: PortRef });
export type WorkflowEdge = z.infer<typeof WorkflowEdge>;

/** 1–200 characters, not only white space, no control characters or unpaired surrogates. */
export const WorkflowName = plainText('name')
  .max(200, 'name must be at most 200 characters')
  .refine((t) => t.trim().length > 0, 'name must not be empty');

/**
 * A workflow, as stored in its Automerge document: nodes and edges keyed by id, so concurrent
 * additions never collide and a deletion removes exactly one entry.
 */
export const Workflow = z.object({
  name: WorkflowName,
  nodes: z.record(NodeId, WorkflowNode),
  edges: z.record(EdgeId, WorkflowEdge),
});
export type Workflow = z.infer<typeof Workflow>;

/** The file format of a workflow export: the workflow plus a format marker and version. */
export const WorkflowFile = z.object({
  format: z.literal('symphony-workflow'),
  version: z.literal(1),
  workflow: Workflow,
});
export type WorkflowFile = z.infer<typeof WorkflowFile>;
