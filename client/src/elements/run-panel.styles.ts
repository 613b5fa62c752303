// The run panel's CSS: the run's header and facts, its actions, the node list and the history.
import { css } from 'lit';

/** The shadow styles of `<run-panel>`, after the shared ones. */
export const runPanelStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    gap: 0.9rem;
    font-size: 0.8125rem;
    min-width: 0;
  }
  h2 {
    font-size: 0.9rem;
    margin: 0;
    display: flex;
    align-items: center;
    gap: 0.45rem;
    flex-wrap: wrap;
  }
  .history-head {
    display: flex;
    align-items: baseline;
    justify-content: space-between;
    gap: 0.5rem;
  }
  .history-head button {
    font-size: 0.75rem;
    padding: 0.15em 0.5em;
  }
  .run-head {
    display: flex;
    align-items: center;
    gap: 0.45rem;
    flex-wrap: wrap;
  }
  .run-head .close {
    margin-left: auto;
    padding: 0.1em 0.45em;
  }
  section[data-testid='run-panel'] {
    display: flex;
    flex-direction: column;
    gap: 0.6rem;
  }
  h3 {
    font-size: 0.75rem;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--sy-muted);
    margin: 0 0 0.35rem;
  }
  code {
    font: 0.75rem ui-monospace, SFMono-Regular, Menlo, monospace;
    overflow-wrap: anywhere;
  }
  .status {
    font-size: 0.72rem;
    font-weight: 700;
    padding: 0.1rem 0.55rem;
    border-radius: 999px;
    color: #fff;
    background: #5f6b7a;
  }
  .status.running {
    background: #3b5bdb;
  }
  .status.succeeded {
    background: #1f7a3f;
  }
  .status.failed {
    background: #b42318;
  }
  dl {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 0.15rem 0.6rem;
    margin: 0;
  }
  dt {
    color: var(--sy-muted);
  }
  dd {
    margin: 0;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  .bar {
    height: 6px;
    border-radius: 3px;
    background: var(--sy-border);
    overflow: hidden;
  }
  .bar span {
    display: block;
    height: 100%;
    background: var(--sy-accent);
    transition: width 0.2s;
  }
  .bar.failed span {
    background: var(--sy-danger);
  }
  .bar.succeeded span {
    background: var(--sy-ok);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem;
  }
  .actions button {
    font-size: 0.8125rem;
    padding: 0.3em 0.65em;
  }
  .notice {
    margin: 0;
    padding: 0.4rem 0.6rem;
    border-radius: 4px;
    background: #eef2ff;
    overflow-wrap: anywhere;
  }
  .notice.warn {
    background: #fff4d6;
    border: 1px solid #e5c46b;
    color: #6b4e00;
  }
  ol.nodes {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 2px;
  }
  ol.nodes button {
    width: 100%;
    display: grid;
    grid-template-columns: 1.2rem 1fr auto;
    gap: 0.4rem;
    text-align: left;
    white-space: nowrap;
    padding: 0.25rem 0.45rem;
    border-color: transparent;
    background: transparent;
  }
  ol.nodes button:hover {
    background: var(--sy-hover);
  }
  ol.nodes button[aria-current='true'] {
    border-color: var(--sy-accent);
  }
  ol.nodes .name {
    overflow: hidden;
    text-overflow: ellipsis;
  }
  ol.nodes .when {
    color: var(--sy-muted);
  }
  .mark {
    font-weight: 700;
    text-align: center;
  }
  .mark.running {
    color: #3b5bdb;
  }
  .mark.retrying {
    color: #a15c00;
  }
  .mark.succeeded,
  .mark.cached {
    color: var(--sy-ok);
  }
  .mark.failed {
    color: var(--sy-danger);
  }
  .mark.queued,
  .mark.skipped,
  .mark.cancelled {
    color: var(--sy-muted);
  }
  run-node-detail {
    border: 1px solid var(--sy-border);
    border-radius: var(--sy-radius);
    padding: 0.6rem 0.7rem;
  }
  .empty {
    margin: 0;
    color: var(--sy-muted);
  }
  details > summary {
    cursor: pointer;
    font-weight: 600;
    margin-bottom: 0.35rem;
  }
`;
