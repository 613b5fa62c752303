// Large, valid, deterministic Workflows for the board's performance checks (the `?generate=` dev hook).
import { type EdgeId, LOCAL_MODEL, type NodeId, type NodeParamsOf, type Workflow } from '@symphony/schemas';

/** How {@link generateWorkflow} lays out and configures its nodes. */
export interface GenerateWorkflowOptions {
  /** Nodes per row; default 40. */
  readonly columns?: number;
  /**
   * The summarize nodes' model; default {@link LOCAL_MODEL}, so a generated workflow runs offline.
   * Any other model needs an AI instrument.
   */
  readonly model?: NodeParamsOf<'summarize'>['model'];
}

/**
 * A large, valid workflow for performance checks: `count` nodes in rows of chains
 * (read-document → summarize → summarize → …), one edge into every node but the first of a row.
 * Deterministic ids, so two runs give the same document.
 */
export function generateWorkflow(count: number, options: GenerateWorkflowOptions = {}): Workflow {
  const { columns = 40, model = LOCAL_MODEL } = options;
  const workflow: Workflow = { name: `Generated (${count} nodes)`, nodes: {}, edges: {} };
  let previous: NodeId | null = null;
  for (let i = 0; i < count; i++) {
    const column = i % columns;
    const row = Math.floor(i / columns);
    const id = `g${String(i).padStart(5, '0')}` as NodeId;
    const position = { x: column * 260, y: row * 140 };
    if (column === 0) {
      workflow.nodes[id] = {
        type: 'read-document',
        kind: 'operator',
        params: { documentId: `doc-${row}` },
        position,
      };
    } else {
      const params: NodeParamsOf<'summarize'> = { model, instrument: '', length: 'short', focus: '' };
      workflow.nodes[id] = { type: 'summarize', kind: 'instrument', params, position };
      const fromPort = column === 1 ? 'document' : 'summary';
      workflow.edges[`e${String(i).padStart(5, '0')}` as EdgeId] = {
        from: { node: previous as NodeId, port: fromPort },
        to: { node: id, port: 'text' },
      };
    }
    previous = id;
  }
  return workflow;
}
