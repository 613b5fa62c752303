// The workflow view's CSS: toolbar, palette, board and inspector, and the drawers of narrow windows.
import { css } from 'lit';

/** The styles of `<workflow-view>`, after the shared ones. */
export const workflowViewStyles = css`
  :host {
    display: grid;
    grid-template-rows: auto auto auto 1fr;
    height: 100%;
    min-height: 0;
  }
  .toolbar {
    display: flex;
    align-items: center;
    gap: 0.4rem;
    padding: 0.4rem 0.75rem;
    border-bottom: 1px solid var(--sy-border);
    background: var(--sy-surface);
    flex-wrap: wrap;
  }
  .toolbar button {
    padding: 0.3em 0.65em;
    font-size: 0.8125rem;
  }
  .name {
    font-weight: 600;
    min-width: 12rem;
    flex: 0 1 18rem;
  }
  .sep {
    width: 1px;
    height: 1.4rem;
    background: var(--sy-border);
    margin: 0 0.2rem;
  }
  .zoom {
    font-size: 0.75rem;
    min-width: 3.2em;
    text-align: center;
    color: var(--sy-muted);
  }
  .spacer {
    flex: 1;
  }
  .peers {
    display: flex;
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .peers li {
    width: 1.8rem;
    height: 1.8rem;
    margin-left: -0.3rem;
    border: 2px solid var(--sy-surface);
    border-radius: 50%;
    color: #fff;
    font-size: 0.68rem;
    font-weight: 700;
    display: grid;
    place-items: center;
  }
  .body {
    display: grid;
    grid-template-columns: 15rem 1fr 20rem;
    min-height: 0;
  }
  node-palette {
    border-right: 1px solid var(--sy-border);
    background: var(--sy-surface);
  }
  harmony-board {
    min-width: 0;
    min-height: 0;
  }
  aside {
    border-left: 1px solid var(--sy-border);
    background: var(--sy-surface);
    overflow: auto;
    padding: 0.9rem;
    display: flex;
    flex-direction: column;
    gap: 1.25rem;
  }
  .hint {
    font-size: 0.8125rem;
    color: var(--sy-muted);
    margin: 0;
  }
  .status {
    padding: 2rem;
    text-align: center;
  }
  .status-line {
    font-size: 0.75rem;
    color: var(--sy-muted);
  }
  /* Run: the button, Cancel, a small progress bar and the run's status line. */
  .toolbar button.run {
    font-weight: 600;
  }
  .run-progress {
    display: inline-block;
    width: 6rem;
    height: 6px;
    border-radius: 3px;
    background: var(--sy-border);
    overflow: hidden;
  }
  .run-progress span {
    display: block;
    height: 100%;
    background: var(--sy-accent);
    transition: width 0.2s;
  }
  .run-progress.succeeded span {
    background: var(--sy-ok);
  }
  .run-progress.failed span {
    background: var(--sy-danger);
  }
  .run-progress.cancelled span {
    background: var(--sy-muted);
  }
  /* It takes the room left and never wraps the toolbar: a long line is cut, the live region says it all. */
  .run-line {
    flex: 4 1 0;
    min-width: 6rem;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .run-banners {
    max-width: 100vw;
    min-width: 0;
  }
  .run-banner {
    display: flex;
    align-items: center;
    flex-wrap: wrap;
    gap: 0.5rem 0.75rem;
    padding: 0.5rem 0.75rem;
    font-size: 0.8125rem;
    background: #fff4d6;
    border-bottom: 1px solid #e5c46b;
    color: #4d3800;
  }
  .run-banner > span {
    flex: 1 1 20rem;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  .run-banner.error {
    background: #fdecea;
    border-bottom-color: #f1b5ae;
    color: #7a1b12;
  }
  .run-banner.info {
    background: #eef2ff;
    border-bottom-color: #c7d0f5;
    color: var(--sy-text);
  }
  .run-banner code {
    font: 0.75rem ui-monospace, SFMono-Regular, Menlo, monospace;
    background: rgba(255, 255, 255, 0.6);
    padding: 0 0.25em;
    border-radius: 3px;
  }
  .run-banner button {
    padding: 0.25em 0.7em;
    font-size: 0.8125rem;
  }
  /* The side panel's tabs: the selected node, or the run. */
  .tabs {
    display: flex;
    gap: 0.25rem;
    border-bottom: 1px solid var(--sy-border);
    margin: -0.3rem 0 0;
  }
  .tabs button {
    border: none;
    border-bottom: 2px solid transparent;
    border-radius: 0;
    background: transparent;
    padding: 0.35em 0.8em;
    font-size: 0.8125rem;
    font-weight: 600;
    color: var(--sy-muted);
  }
  .tabs button[aria-selected='true'] {
    color: var(--sy-text);
    border-bottom-color: var(--sy-accent);
  }
  .tab-dot {
    color: #3b5bdb;
    font-size: 0.6rem;
    margin-left: 0.25em;
  }
  .tab-panel {
    display: flex;
    flex-direction: column;
    gap: 1.25rem;
    min-width: 0;
  }
  /* Dialogs open in the top layer; their hosts take no room in the grid. */
  .dialogs {
    position: absolute;
    width: 0;
    height: 0;
    overflow: visible;
  }
  :host([read-only]) .body,
  :host([locked]) .body {
    grid-template-columns: 1fr 20rem;
  }
  /* Never wider than the window, even where the toolbar overflows it: the reason stays readable. */
  .notices {
    max-width: 100vw;
    min-width: 0;
  }
  .view-only {
    padding: 0.2em 0.7em;
    border-radius: 999px;
    background: #fff4d6;
    border: 1px solid #e5c46b;
    color: #6b4e00;
    font-size: 0.8125rem;
    font-weight: 600;
    white-space: nowrap;
  }
  /* Panel toggles exist only where the panels no longer fit beside the board. */
  .narrow {
    display: none;
  }
  /* A small laptop window or split screen: the inspector becomes a drawer over the board. */
  @media (max-width: 900px) {
    .body {
      position: relative;
      grid-template-columns: 11rem minmax(0, 1fr);
    }
    :host([read-only]) .body,
    :host([locked]) .body {
      grid-template-columns: minmax(0, 1fr);
    }
    .narrow.inspector-toggle {
      display: inline-block;
    }
    aside {
      position: absolute;
      top: 0;
      right: 0;
      bottom: 0;
      width: min(20rem, 85vw);
      z-index: 2;
      box-shadow: var(--sy-shadow);
    }
    .body.inspector-hidden aside {
      display: none;
    }
    .name {
      min-width: 8rem;
    }
  }
  /* A phone: the board takes the width; the node library and the inspector open as drawers. */
  @media (max-width: 600px) {
    .body,
    :host([read-only]) .body,
    :host([locked]) .body {
      grid-template-columns: minmax(0, 1fr);
    }
    .narrow.palette-toggle {
      display: inline-block;
    }
    node-palette {
      display: none;
      position: absolute;
      top: 0;
      left: 0;
      bottom: 0;
      width: min(15rem, 80vw);
      z-index: 3;
      box-shadow: var(--sy-shadow);
    }
    .body.palette-open node-palette {
      display: block;
    }
    aside {
      display: none;
    }
    .body.has-selection:not(.inspector-hidden) aside,
    .body.inspector-shown aside {
      display: flex;
    }
  }
`;
