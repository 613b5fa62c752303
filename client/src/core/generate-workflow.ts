// Large, valid, deterministic Workflows for the board's performance checks (the `?generate=` dev hook).
import type { EdgeId, NodeId, Workflow } from '@symphony/schemas';

/**
 * A large, valid workflow for performance checks: `count` nodes in rows of chains
 * (read-document → summarize → summarize → …), one edge into every node but the first of a row.
 * Deterministic ids, so two runs give the same document.
 */
export function generateWorkflow(count: number, columns = 40): Workflow {
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
      workflow.nodes[id] = {
        type: 'summarize',
        kind: 'instrument',
        params: { model: 'claude-haiku', length: 'short', focus: '' },
        position,
      };
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
