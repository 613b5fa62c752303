// The Harmony Board's stylesheet: canvas and layer, nodes, ports, edges, gesture overlays,
// collaborators' outlines and the empty-board hint. Used by <harmony-board> (harmony-board.ts).
import { css } from 'lit';

/** The shadow styles of `<harmony-board>`. */
export const harmonyBoardStyles = css`
  :host {
    display: block;
    position: relative;
    overflow: hidden;
    background: #f8f9fb;
    user-select: none;
    -webkit-user-select: none;
  }
  .canvas {
    position: absolute;
    inset: 0;
    outline: none;
    touch-action: none;
    overflow: hidden;
    background-image: radial-gradient(circle at 1px 1px, #d5dae2 1px, transparent 1.2px);
  }
  /* The content sits on its own compositor layer: panning moves the layer, nothing repaints. */
  .layer {
    position: absolute;
    left: 0;
    top: 0;
    width: 100%;
    height: 100%;
    transform-origin: 0 0;
    will-change: transform;
    pointer-events: none;
  }
  svg.content {
    position: absolute;
    left: 0;
    top: 0;
    width: 100%;
    height: 100%;
    overflow: visible;
    pointer-events: none;
  }
  /*
   * The edges on a compositor layer of their own: a run changing node states repaints the nodes'
   * layer only, not 1,000 curves beneath them.
   */
  svg.edges-layer {
    will-change: transform;
  }
  .node,
  .edge path.hit {
    pointer-events: auto;
  }
  .canvas:focus-visible {
    box-shadow: inset 0 0 0 2px var(--sy-accent);
  }
  .canvas {
    cursor: grab;
  }
  .canvas.panning {
    cursor: grabbing;
  }
  .node {
    cursor: default;
  }
  .node .body {
    fill: #fff;
    stroke: #c9d0da;
    stroke-width: 1;
  }
  .node .head {
    fill: #eef0f5;
  }
  .node.instrument .head {
    fill: #ece9ff;
  }
  .node.addon .body {
    fill: #fffbe6;
    stroke: #e8d48a;
  }
  .node.group .body {
    fill: rgba(79, 70, 229, 0.04);
    stroke: #a5a1f0;
    stroke-dasharray: 6 4;
  }
  .node.group .head {
    fill: transparent;
  }
  .node.selected .body {
    stroke: var(--sy-accent);
    stroke-width: 2.5;
  }
  .node.error .body {
    stroke: var(--sy-danger);
    stroke-width: 2.5;
  }
  .node.error.selected .body {
    stroke-width: 3.5;
  }
  .node.warning .body {
    stroke: var(--sy-warn);
    stroke-width: 2;
  }
  .node .title {
    font: 600 13px system-ui, sans-serif;
    fill: #1f2328;
  }
  .node .sub {
    font: 11px system-ui, sans-serif;
    fill: #5f6b7a;
  }
  .node .badge {
    fill: var(--sy-danger);
  }
  .node .badge-text {
    font: 700 11px system-ui, sans-serif;
    fill: #fff;
  }
  .port {
    cursor: crosshair;
  }
  .port .hit {
    fill: transparent;
  }
  .port .label {
    font: 11px system-ui, sans-serif;
    fill: #3d4752;
  }
  .port.compatible .shape {
    stroke: var(--sy-ok);
    stroke-width: 4;
  }
  .port.incompatible {
    opacity: 0.3;
  }
  .edge path.line {
    fill: none;
    stroke: #8a94a3;
    stroke-width: 2;
  }
  .edge path.hit {
    fill: none;
    stroke: transparent;
    stroke-width: 12;
    cursor: pointer;
  }
  .edge.selected path.line {
    stroke: var(--sy-accent);
    stroke-width: 3;
  }
  .edge.error path.line {
    stroke: var(--sy-danger);
  }
  .edge.rejected path.line {
    stroke: var(--sy-danger);
    stroke-dasharray: 7 5;
  }
  .edge .reason {
    font: 600 11px system-ui, sans-serif;
    fill: var(--sy-danger);
    paint-order: stroke;
    stroke: #f8f9fb;
    stroke-width: 4px;
  }
  .pending {
    fill: none;
    stroke: var(--sy-accent);
    stroke-width: 2;
    stroke-dasharray: 4 3;
    pointer-events: none;
  }
  .band {
    fill: rgba(79, 70, 229, 0.08);
    stroke: var(--sy-accent);
    stroke-dasharray: 4 3;
    pointer-events: none;
  }
  .remote-outline {
    fill: none;
    stroke-width: 2.5;
    stroke-dasharray: 2 3;
    pointer-events: none;
  }
  .remote-name {
    font: 600 11px system-ui, sans-serif;
    pointer-events: none;
  }
  .ghost {
    fill: none;
    stroke-width: 2;
    stroke-dasharray: 6 4;
    pointer-events: none;
  }
  .empty {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    pointer-events: none;
  }
  .empty div {
    max-width: 26rem;
    padding: 1.5rem 2rem;
    text-align: center;
    border: 1px dashed var(--sy-border);
    border-radius: var(--sy-radius);
    background: rgba(255, 255, 255, 0.85);
    color: var(--sy-muted);
  }
  .empty h2 {
    margin: 0 0 0.5rem;
    font-size: 1.1rem;
    color: var(--sy-text);
  }
  .empty p {
    margin: 0.25rem 0;
  }
  /* The keyboard's node: a ring while the board has keyboard focus. */
  .node .focus-ring {
    fill: none;
    stroke: none;
    pointer-events: none;
  }
  .canvas.keys:focus .node.focused .focus-ring {
    stroke: var(--sy-accent);
    stroke-width: 2;
    stroke-dasharray: 5 3;
  }
  .port.targeted .shape {
    stroke: var(--sy-accent);
    stroke-width: 4;
  }
  .port.incompatible.targeted {
    opacity: 1;
  }
  .port.incompatible.targeted .shape {
    stroke: var(--sy-danger);
  }
  .pending.refused {
    stroke: var(--sy-danger);
  }
  /* Why an edge cannot land here, beside the pointer (or the input picked by keyboard). */
  .refusal {
    position: absolute;
    white-space: nowrap;
    font: 600 12px system-ui, sans-serif;
    color: #fff;
    background: var(--sy-danger);
    border-radius: 6px;
    padding: 0.25rem 0.55rem;
    box-shadow: var(--sy-shadow);
    pointer-events: none;
  }
  /* Top left, with the help button: what a drawer over the board's right side does not hide. */
  .announcement {
    position: absolute;
    left: 52px;
    top: 12px;
    max-width: min(28rem, calc(100% - 70px));
    font-size: 0.8125rem;
    background: rgba(31, 35, 40, 0.88);
    color: #fff;
    border-radius: 6px;
    padding: 0.3rem 0.6rem;
    pointer-events: none;
  }
  .announcement.quiet {
    padding: 0;
    background: none;
  }
  .help-button {
    position: absolute;
    top: 10px;
    left: 12px;
    width: 1.9rem;
    height: 1.9rem;
    border-radius: 50%;
    border: 1px solid var(--sy-border);
    background: var(--sy-surface);
    color: var(--sy-text);
    font: 600 0.9rem system-ui, sans-serif;
    cursor: pointer;
    box-shadow: 0 1px 3px rgba(15, 23, 42, 0.12);
  }
  /* A node's state in the run shown: the header's tint, a badge with a mark and words, and a
     moving ring while it runs (still for those who ask for less motion). */
  .node.run-succeeded .head {
    fill: #dcf5e3;
  }
  .node.run-cached .head {
    fill: #dff0fb;
  }
  .node.run-failed .head {
    fill: #fde2e1;
  }
  .node.run-failed .body {
    stroke: var(--sy-danger);
    stroke-width: 2.5;
  }
  .node.run-cancelled .head,
  .node.run-skipped .head {
    fill: #eceef2;
  }
  .node.run-skipped,
  .node.run-cancelled {
    opacity: 0.7;
  }
  .node.run-cancelled .body {
    stroke: #5f6b7a;
    stroke-width: 2;
    stroke-dasharray: 4 3;
  }
  .node.run-running .head {
    fill: #e3e9ff;
  }
  .node.run-retrying .head {
    fill: #fff1d6;
  }
  .run-ring {
    fill: none;
    stroke: #3b5bdb;
    stroke-width: 2.5;
    stroke-dasharray: 9 6;
    pointer-events: none;
    animation: run-march 0.9s linear infinite;
  }
  .node.run-retrying .run-ring {
    stroke: var(--sy-warn);
    animation-duration: 1.8s;
  }
  @keyframes run-march {
    to {
      stroke-dashoffset: -15;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .run-ring {
      animation: none;
    }
  }
  .run-badge {
    pointer-events: none;
  }
  .run-badge rect {
    fill: #5f6b7a;
  }
  .run-badge text {
    font: 600 11px system-ui, sans-serif;
    fill: #fff;
  }
  .node.run-running .run-badge rect {
    fill: #3b5bdb;
  }
  .node.run-retrying .run-badge rect {
    fill: #a15c00;
  }
  .node.run-succeeded .run-badge rect {
    fill: #1f7a3f;
  }
  .node.run-cached .run-badge rect {
    fill: #1b6a96;
  }
  .node.run-failed .run-badge rect {
    fill: #b42318;
  }
  .node.run-queued .run-badge rect {
    fill: #8a94a3;
  }
  .help-button:focus-visible {
    outline: 2px solid var(--sy-accent);
    outline-offset: 2px;
  }
`;
