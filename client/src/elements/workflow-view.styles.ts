// The workflow view's CSS: toolbar, palette, board and inspector, and the drawers of narrow windows.
import { css } from 'lit';

/** The styles of `<workflow-view>`, after the shared ones. */
export const workflowViewStyles = css`
  :host {
    display: grid;
    grid-template-rows: auto auto 1fr;
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
    flex: 0 1 22rem;
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
