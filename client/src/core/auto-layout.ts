// Auto layout for the Harmony Board: positions for every node of a Workflow from ELK's layered algorithm.
import { type NodeId, NodeLibrary, type Position, type Workflow } from '@symphony/schemas';
import { nodeSize, portPosition } from './board-geometry.js';

/**
 * Positions for every node of `workflow` from ELK's layered algorithm, left to right, ports in
 * their drawn order. Loads elkjs on first use (it is large). Rejected edges are left out, so a
 * cycle does not bend the layout.
 */
export async function autoLayout(
  workflow: Workflow,
  rejected: ReadonlySet<string> = new Set(),
): Promise<Map<NodeId, Position>> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const children = Object.entries(workflow.nodes).map(([id, node]) => {
    const spec = NodeLibrary.get(node.type);
    const size = nodeSize(node, spec);
    const ports = [
      ...(spec?.inputs ?? []).map((p) => ({ side: 'in' as const, name: p.name })),
      ...(spec?.outputs ?? []).map((p) => ({ side: 'out' as const, name: p.name })),
    ].map(({ side, name }) => {
      const at = portPosition({ ...node, position: { x: 0, y: 0 } }, spec, side, name) ?? { x: 0, y: 0 };
      return {
        id: `${id}|${side}|${name}`,
        x: at.x,
        y: at.y,
        width: 1,
        height: 1,
        layoutOptions: { 'elk.port.side': side === 'in' ? 'WEST' : 'EAST' },
      };
    });
    return {
      id,
      width: size.width,
      height: size.height,
      ports,
      layoutOptions: { 'elk.portConstraints': 'FIXED_POS' },
    };
  });
  const portIds = new Set(children.flatMap((c) => c.ports.map((p) => p.id)));
  const edges = Object.entries(workflow.edges)
    .filter(([id]) => !rejected.has(id))
    .map(([id, e]) => ({
      id,
      sources: [`${e.from.node}|out|${e.from.port}`],
      targets: [`${e.to.node}|in|${e.to.port}`],
    }))
    .filter((e) => portIds.has(e.sources[0] as string) && portIds.has(e.targets[0] as string));
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '40',
      'elk.layered.spacing.nodeNodeBetweenLayers': '80',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    },
    children,
    edges,
  });
  const positions = new Map<NodeId, Position>();
  for (const child of graph.children ?? []) {
    positions.set(child.id as NodeId, { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) });
  }
  return positions;
}
