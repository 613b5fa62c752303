// The SVG parts of the Harmony Board (edges, nodes with their ports, collaborators, the gesture
// overlay) as template functions of their data; <harmony-board> (harmony-board.ts) composes them.
import {
  canFlow,
  type DataType,
  type EdgeId,
  type Finding,
  type NodeId,
  NodeLibrary,
  type NodeState,
  type PortSpec,
  type Position,
  type RejectReason,
  type Workflow,
  type WorkflowNode,
  type WorkflowReport,
} from '@symphony/schemas';
import { html, nothing, svg } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import {
  edgeMidpoint,
  edgePath,
  intersects,
  nodeSize,
  PORT_STYLE,
  portOffset,
  portPosition,
  type Rect,
  rectFromPoints,
  type Viewport,
} from '../core/board-geometry.js';
import type { BoardGesture, BoardHit } from '../core/board-gestures.js';
import type { BoardPeer } from '../core/board-presence.js';

/** Words for why an edge is rejected, shown on the edge and in its tooltip. */
export const REJECT_LABEL: Readonly<Record<RejectReason, string>> = {
  dangling: 'node deleted',
  'invalid-ports': 'ports do not fit',
  'extra-input': 'input already connected',
  cycle: 'closes a cycle',
};

/** A node's run state in words, for its badge and its accessible name. */
export const RUN_STATE_LABEL: Readonly<Record<NodeState, string>> = {
  queued: 'Queued',
  running: 'Running',
  retrying: 'Retrying',
  succeeded: 'Succeeded',
  cached: 'From cache',
  failed: 'Failed',
  cancelled: 'Cancelled',
  skipped: 'Skipped',
};

/** The mark beside a run state's words (never alone: colour and mark both say it). */
const RUN_STATE_MARK: Readonly<Record<NodeState, string>> = {
  queued: '○',
  running: '◔',
  retrying: '↻',
  succeeded: '✓',
  cached: '✓',
  failed: '✕',
  cancelled: '⊘',
  skipped: '–',
};

/** One empty list for every node and edge without findings, so their guards see the same value. */
const NO_FINDINGS: readonly Finding[] = Object.freeze([]);

/** How an edge is drawn besides its ends. */
export interface EdgeLook {
  readonly rejected: RejectReason | undefined;
  readonly findings: readonly Finding[];
  readonly selected: boolean;
}

/** The edge being drawn (by pointer or keyboard), as a node's ports see it. */
export interface Connecting {
  readonly from: { readonly node: NodeId; readonly type: DataType };
  /** The input picked while connecting by keyboard. */
  readonly target?: { readonly node: NodeId; readonly port: string } | null;
}

/** How a node is drawn besides its data. */
export interface NodeLook {
  readonly findings: readonly Finding[];
  readonly selected: boolean;
  /** The keyboard is on it: a focus ring (shown while the board has keyboard focus). */
  readonly focused: boolean;
  /** Drawn as an outline only (far zoomed out), unless selected. */
  readonly outline: boolean;
  /** The edge being drawn, if any: its compatible inputs light up. */
  readonly connecting: Connecting | null;
  /** Collaborators who have it selected. */
  readonly remote: readonly BoardPeer[] | undefined;
  /** Its state in the run the board shows, if any. */
  readonly run?: NodeState | undefined;
}

/** What the board draws besides the workflow: the gesture, selection, focus, findings, peers. */
export interface BoardScene {
  readonly gesture: BoardGesture | null;
  readonly selectedNodes: ReadonlySet<NodeId>;
  readonly selectedEdges: ReadonlySet<EdgeId>;
  readonly focusedNode: NodeId | null;
  readonly findingsByTarget: ReadonlyMap<string, Finding[]>;
  readonly rejectedEdges: ReadonlyMap<EdgeId, RejectReason> | undefined;
  /** The part of the board drawn (null: all of it). */
  readonly window: Rect | null;
  readonly outline: boolean;
  readonly peers: readonly BoardPeer[];
  /** Each node's state in the run the board shows (null: no run shown). */
  readonly runStates?: ReadonlyMap<NodeId, NodeState> | null;
}

/**
 * The workflow as SVG, in two parts the board draws on two layers: the edges, and above them the
 * nodes (groups beneath), collaborators and the gesture overlay. The edges' layer is not painted
 * again while only nodes change (a run streaming states). Only what lies in the scene's window is
 * drawn (plus what is selected or dragged).
 */
export function renderBoardContent(wf: Workflow, scene: BoardScene) {
  const g = scene.gesture;
  const moving = g?.kind === 'move' && g.moved ? new Set(g.ids) : null;
  const position = (id: NodeId, node: WorkflowNode): Position =>
    moving?.has(id) && g?.kind === 'move'
      ? { x: node.position.x + g.dx, y: node.position.y + g.dy }
      : node.position;
  const win = scene.window;
  const drawn = (id: NodeId, n: WorkflowNode): boolean =>
    win === null ||
    scene.selectedNodes.has(id) ||
    scene.focusedNode === id ||
    moving?.has(id) === true ||
    intersects(win, { ...n.position, ...nodeSize(n, NodeLibrary.get(n.type)) });
  const nodes = (Object.entries(wf.nodes) as [NodeId, WorkflowNode][]).filter(([id, n]) => drawn(id, n));
  // Groups first, so they are drawn beneath everything.
  nodes.sort((a, b) => (a[1].type === 'group' ? 0 : 1) - (b[1].type === 'group' ? 0 : 1));
  const remoteSelections = new Map<string, BoardPeer[]>();
  for (const peer of scene.peers) {
    for (const id of peer.selection) {
      const list = remoteSelections.get(id);
      if (list) list.push(peer);
      else remoteSelections.set(id, [peer]);
    }
  }
  const connecting = g?.kind === 'connect' || g?.kind === 'link' ? g : null;
  const end = (id: NodeId, side: 'in' | 'out', port: string) => {
    const n = wf.nodes[id];
    return n
      ? portPosition({ ...n, position: position(id, n) }, NodeLibrary.get(n.type), side, port)
      : undefined;
  };
  // Each edge and node is drawn again only when what it shows changed: a run streaming states
  // through a 1,000-node board touches the nodes whose state moved, not every binding of every node.
  // The edges do not depend on run states at all: while nothing about them changed they are skipped whole.
  const edges = guard(
    [wf, win, moving === null ? null : g, scene.rejectedEdges, scene.findingsByTarget, scene.selectedEdges],
    () =>
      repeat(
        Object.entries(wf.edges) as [EdgeId, Workflow['edges'][EdgeId]][],
        ([id]) => id,
        ([id, edge]) => {
          const a = end(edge.from.node, 'out', edge.from.port);
          const b = end(edge.to.node, 'in', edge.to.port);
          if (!a || !b) return nothing;
          if (win !== null && !intersects(win, rectFromPoints(a, b))) return nothing;
          const rejected = scene.rejectedEdges?.get(id);
          const findings = scene.findingsByTarget.get(`edge:${id}`) ?? NO_FINDINGS;
          const selected = scene.selectedEdges.has(id);
          return guard([edge, a.x, a.y, b.x, b.y, rejected, findings, selected], () =>
            renderBoardEdge(id, a, b, { rejected, findings, selected }),
          );
        },
      ),
  );
  const nodesAndOverlay = svg`
    <g class="nodes">${repeat(
      nodes,
      ([id]) => id,
      ([id, node]) => {
        const at = position(id, node);
        const look: NodeLook = {
          findings: scene.findingsByTarget.get(`node:${id}`) ?? NO_FINDINGS,
          selected: scene.selectedNodes.has(id),
          focused: scene.focusedNode === id,
          outline: scene.outline,
          connecting,
          remote: remoteSelections.get(id),
          run: scene.runStates?.get(id),
        };
        return guard(
          [
            node,
            at.x,
            at.y,
            look.findings,
            look.selected,
            look.focused,
            look.outline,
            connecting,
            look.remote,
            look.run,
          ],
          () => renderBoardNode(id, node, at, look),
        );
      },
    )}</g>
    <g class="remote">${scene.peers.map((peer) => renderBoardPeer(peer, wf))}</g>
    ${renderGestureOverlay(g, wf)}
  `;
  return { edges: svg`<g class="edges">${edges}</g>`, nodes: nodesAndOverlay };
}

/**
 * Why the edge being drawn cannot land where it is (by the pointer, or on the input picked by
 * keyboard), as HTML over the board at that point; nothing when it can.
 */
export function renderRefusal(
  g: BoardGesture | null,
  wf: Workflow | null,
  v: Viewport,
  boardWidth: () => number,
) {
  let at: Position | undefined;
  let refusal: string | null | undefined = null;
  if (g?.kind === 'connect') {
    at = g.at;
    refusal = g.refusal;
  } else if (g?.kind === 'link' && g.target !== null && wf !== null) {
    const n = wf.nodes[g.target.node];
    at = n ? portPosition(n, NodeLibrary.get(n.type), 'in', g.target.port) : undefined;
    refusal = g.refusal;
  }
  if (!refusal || at === undefined) return nothing;
  // Beside the point, on its left when it would not fit on the right (about 7 px a character).
  const left = at.x * v.k + v.x + 14 + refusal.length * 7 + 40 > boardWidth();
  const x = left ? at.x * v.k - 14 : at.x * v.k + 14;
  const shift = left ? 'transform:translateX(-100%);' : '';
  return html`<div class="refusal" data-testid="connect-refusal" style="${shift}left:${x}px;top:${at.y * v.k - 34}px">
    ✕ ${refusal}
  </div>`;
}

/** An edge from `a` to `b` (output port to input port), with its rejection and findings. */
export function renderBoardEdge(id: EdgeId, a: Position, b: Position, look: EdgeLook) {
  const { rejected, findings } = look;
  const error = findings.some((f) => f.severity === 'error');
  const cls = `edge${rejected ? ' rejected' : ''}${error ? ' error' : ''}${look.selected ? ' selected' : ''}`;
  const d = edgePath(a, b);
  const mid = edgeMidpoint(a, b);
  const tip = [
    rejected ? `Rejected: ${REJECT_LABEL[rejected]}` : 'Edge',
    ...findings.map((f) => f.message),
  ].join('\n');
  return svg`<g class=${cls} data-testid="board-edge" data-edge-id=${id} data-rejected=${rejected ?? ''}
      data-finding=${error ? 'error' : ''}>
    <title>${tip}</title>
    <path class="hit" d=${d}></path>
    <path class="line" d=${d}></path>
    ${
      rejected
        ? svg`<text class="reason" x=${mid.x} y=${mid.y - 6} text-anchor="middle" data-testid="edge-reason">✕ ${REJECT_LABEL[rejected]}</text>`
        : nothing
    }
  </g>`;
}

/** A node at `at` (where a drag shows it), with its ports, findings, run state and collaborators' outlines. */
export function renderBoardNode(id: NodeId, node: WorkflowNode, at: Position, look: NodeLook) {
  const { findings, selected, connecting, remote, focused, run } = look;
  const spec = NodeLibrary.get(node.type);
  const { width, height } = nodeSize(node, spec);
  const errors = findings.filter((f) => f.severity === 'error').length;
  const severity = errors > 0 ? 'error' : findings.length > 0 ? 'warning' : '';
  const title =
    node.label ?? (node.type === 'group' ? String(node.params.title ?? 'Group') : (spec?.title ?? node.type));
  // `?? ''`: a state this build does not know (a newer collaborator's) draws no words, not a crash.
  const runText = run === undefined ? '' : (RUN_STATE_LABEL[run] ?? '');
  const name = run === undefined ? title : `${title}, ${runText.toLowerCase()}`;
  const tip = [
    `${title} (${spec?.title ?? `unknown type ${node.type}`})`,
    ...(run === undefined ? [] : [`Run: ${runText}`]),
    ...findings.map((f) => `• ${f.message}`),
  ].join('\n');
  const runClass = run === undefined ? '' : `run-${run}`;
  if (look.outline && !selected) {
    // Placed by x and y, not a transform: a transform per node is a paint chunk per node, and
    // 1,000 of them are what made each frame of a streaming run slow to paint and layerize.
    return svg`<g class="node ${node.kind} ${node.type === 'group' ? 'group' : ''} ${severity} ${runClass}"
        data-testid="board-node" data-node-id=${id} data-type=${node.type}
        data-finding=${severity} data-run-state=${run ?? nothing} aria-label=${name}>
      <rect class="body" x=${at.x} y=${at.y} width=${width} height=${height} rx="8"></rect>
      <rect class="head" x=${at.x} y=${at.y} width=${width} height="34" rx="8"></rect>
    </g>`;
  }
  return svg`<g class="node ${node.kind} ${node.type === 'group' ? 'group' : ''} ${selected ? 'selected' : ''} ${focused ? 'focused' : ''} ${severity} ${runClass}"
      transform="translate(${at.x} ${at.y})" data-testid="board-node" data-node-id=${id} data-type=${node.type}
      data-finding=${severity} data-run-state=${run ?? nothing} aria-label=${name} data-focused=${focused ? 'true' : 'false'}>
    <title>${tip}</title>
    <rect class="focus-ring" x="-6" y="-6" width=${width + 12} height=${height + 12} rx="12"></rect>
    ${run === 'running' || run === 'retrying' ? svg`<rect class="run-ring" x="-3" y="-3" width=${width + 6} height=${height + 6} rx="10"></rect>` : nothing}
    <rect class="body" width=${width} height=${height} rx="8"></rect>
    <path class="head" d="M0 8a8 8 0 0 1 8-8h${width - 16}a8 8 0 0 1 8 8v${26}h-${width}z"></path>
    <text class="title" x="12" y="21">${truncate(title, 24)}</text>
    ${
      node.type === 'note'
        ? svg`<text class="sub" x="12" y="52">${truncate(String(node.params.text ?? ''), 30)}</text>`
        : nothing
    }
    ${
      errors > 0
        ? svg`<g data-testid="node-error-badge"><circle class="badge" cx=${width - 14} cy="17" r="9"></circle>
            <text class="badge-text" x=${width - 14} y="21" text-anchor="middle">${errors}</text></g>`
        : nothing
    }
    ${run === undefined ? nothing : renderRunBadge(run, width)}
    ${(spec?.inputs ?? []).map((p, i) => renderPort(id, p, 'in', i, width, connecting))}
    ${(spec?.outputs ?? []).map((p, i) => renderPort(id, p, 'out', i, width, connecting))}
    ${
      remote === undefined
        ? nothing
        : remote.map(
            (
              peer,
              i,
            ) => svg`<rect class="remote-outline" x=${-4 - i * 3} y=${-4 - i * 3} width=${width + 8 + i * 6}
                height=${height + 8 + i * 6} rx="10" stroke=${peer.color}></rect>
              <text class="remote-name" x="0" y=${-8 - i * 14} fill=${peer.color}>${peer.name}</text>`,
          )
    }
  </g>`;
}

/** A node's run state as a pill above its top right corner: a mark and the words. */
function renderRunBadge(run: NodeState, width: number) {
  const text = `${RUN_STATE_MARK[run] ?? ''} ${RUN_STATE_LABEL[run] ?? ''}`;
  // About 6.5 px a character at 11 px, plus the padding.
  const w = Math.round(text.length * 6.5 + 14);
  return svg`<g class="run-badge" data-testid="node-run-badge" transform="translate(${width - w} -22)" aria-hidden="true">
    <rect width=${w} height="18" rx="9"></rect>
    <text x=${w / 2} y="13" text-anchor="middle">${text}</text>
  </g>`;
}

/** One port; while an edge is drawn, inputs light up as compatible or fade as not. */
function renderPort(
  node: NodeId,
  port: PortSpec,
  side: 'in' | 'out',
  index: number,
  width: number,
  connecting: Connecting | null,
) {
  const at = portOffset(side, index, width);
  const style = PORT_STYLE[port.type];
  let state = '';
  if (connecting !== null && side === 'in') {
    state =
      connecting.from.node !== node && canFlow(connecting.from.type, port.type)
        ? 'compatible'
        : 'incompatible';
    if (connecting.target?.node === node && connecting.target.port === port.name) state += ' targeted';
  }
  const shape =
    style.shape === 'circle'
      ? svg`<circle class="shape" r="6" fill=${style.color} stroke="#fff" stroke-width="1.5"></circle>`
      : style.shape === 'square'
        ? svg`<rect class="shape" x="-6" y="-6" width="12" height="12" rx="2" fill=${style.color} stroke="#fff" stroke-width="1.5"></rect>`
        : svg`<path class="shape" d="M0 -7L7 0L0 7L-7 0z" fill=${style.color} stroke="#fff" stroke-width="1.5"></path>`;
  return svg`<g class="port ${side} ${state}" transform="translate(${at.x} ${at.y})" data-port=${port.name}
      data-side=${side} data-port-type=${port.type} data-testid="port">
    <title>${port.label} (${port.type}${port.required ? ', required' : ''}${port.multiple ? ', many' : ''})</title>
    <circle class="hit" r="11"></circle>
    ${shape}
    <text class="label" x=${side === 'in' ? 12 : -12} y="4" text-anchor=${side === 'in' ? 'start' : 'end'}>${port.label}</text>
  </g>`;
}

/** A collaborator's pointer and the ghosts of the nodes they drag. */
export function renderBoardPeer(peer: BoardPeer, wf: Workflow) {
  const ghosts = [...peer.dragging].map(([id, p]) => {
    // A peer names the node: `constructor` is no node of this workflow.
    const node = Object.hasOwn(wf.nodes, id) ? wf.nodes[id as NodeId] : undefined;
    if (!node) return nothing;
    const { width, height } = nodeSize(node, NodeLibrary.get(node.type));
    return svg`<rect class="ghost" x=${p.x} y=${p.y} width=${width} height=${height} rx="8" stroke=${peer.color}></rect>`;
  });
  const pointer = peer.pointer;
  return svg`<g data-testid="remote-peer" data-peer-name=${peer.name}>
    ${ghosts}
    ${
      pointer === null
        ? nothing
        : svg`<g transform="translate(${pointer.x} ${pointer.y})">
            <path d="M0 0L0 16L4.5 12L8 19L10.5 18L7 11L13 11z" fill=${peer.color} stroke="#fff"></path>
            <text class="remote-name" x="14" y="24" fill=${peer.color}>${peer.name}</text>
          </g>`
    }
  </g>`;
}

/** The edge being drawn, or the selection band, of the gesture in progress. */
export function renderGestureOverlay(g: BoardGesture | null, wf: Workflow) {
  if (g?.kind === 'connect') {
    const node = wf.nodes[g.from.node];
    const a = node ? portPosition(node, NodeLibrary.get(node.type), 'out', g.from.port) : undefined;
    return a ? svg`<path class="pending" d=${edgePath(a, g.at)}></path>` : nothing;
  }
  if (g?.kind === 'link') {
    const from = wf.nodes[g.from.node];
    const to = g.target === null ? undefined : wf.nodes[g.target.node];
    const a = from ? portPosition(from, NodeLibrary.get(from.type), 'out', g.from.port) : undefined;
    const b = to && g.target ? portPosition(to, NodeLibrary.get(to.type), 'in', g.target.port) : undefined;
    return a && b
      ? svg`<path class="pending ${g.refusal === null ? '' : 'refused'}" data-testid="link-preview" d=${edgePath(a, b)}></path>`
      : nothing;
  }
  if (g?.kind === 'band') {
    const r = rectFromPoints(g.start, g.at);
    return svg`<rect class="band" x=${r.x} y=${r.y} width=${r.width} height=${r.height}></rect>`;
  }
  return nothing;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** What `element` is part of: a port (of a node), a node, an edge, or empty board. */
export function boardHit(element: Element | null | undefined): BoardHit {
  const nodeEl = element?.closest('.node');
  const node = nodeEl?.getAttribute('data-node-id') as NodeId | null | undefined;
  if (node) {
    const portEl = element?.closest('.port');
    const port = portEl?.getAttribute('data-port');
    const side = portEl?.getAttribute('data-side');
    if (port != null && (side === 'in' || side === 'out')) return { kind: 'port', node, port, side };
    return { kind: 'node', node };
  }
  const edge = element?.closest('.edge')?.getAttribute('data-edge-id') as EdgeId | null | undefined;
  return edge ? { kind: 'edge', edge } : { kind: 'empty' };
}

/** The hint over an empty board. */
export function renderEmptyBoard() {
  return html`<div class="empty" data-testid="board-empty">
    <div>
      <h2>This board is empty</h2>
      <p>Drag a node from the library onto the board, or select one there and press Enter.</p>
      <p>Or start from a template on the workspace page. Press ? for the board's keyboard shortcuts.</p>
    </div>
  </div>`;
}

/** A report's findings by what they are about (`node:<id>`, `edge:<id>`, `workflow`). */
export function findingsByTarget(report: WorkflowReport | null): Map<string, Finding[]> {
  const map = new Map<string, Finding[]>();
  for (const f of report?.findings ?? []) {
    const key = f.target.kind === 'workflow' ? 'workflow' : `${f.target.kind}:${f.target.id}`;
    const list = map.get(key);
    if (list) list.push(f);
    else map.set(key, [f]);
  }
  return map;
}
