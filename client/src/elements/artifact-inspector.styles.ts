// The artifact inspector's look: a large modal dialog, its header with search, the metadata, and the
// content and lineage panes side by side (stacked below 60rem, so at 800 px too).
import { css } from 'lit';

export const inspectorStyles = css`
  dialog {
    width: min(76rem, calc(100vw - 2rem));
    height: calc(100vh - 2rem);
    padding: 0;
    display: flex;
    flex-direction: column;
    overflow: hidden;
    --artifact-content-height: calc(100vh - 22rem);
  }
  dialog:not([open]) {
    display: none;
  }
  header.top {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    align-items: flex-start;
    padding: 0.9rem 1.25rem 0.75rem;
    border-bottom: 1px solid var(--sy-border);
  }
  .title {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    min-width: 0;
    flex: 0 1 auto;
  }
  h2 {
    margin: 0;
    font-size: 1.1rem;
    overflow-wrap: anywhere;
  }
  h2:focus {
    outline: none;
  }
  artifact-search {
    flex: 1 1 20rem;
  }
  .close {
    margin-left: auto;
  }
  .scroll > *,
  .panes > * {
    min-width: 0;
  }
  .scroll {
    flex: 1;
    overflow: auto;
    padding: 0.9rem 1.25rem 1.25rem;
    display: grid;
    gap: 0.9rem;
    align-content: start;
  }
  dl.meta {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem 1.5rem;
    margin: 0;
    font-size: 0.875rem;
  }
  dl.meta > div {
    display: flex;
    gap: 0.4rem;
    align-items: baseline;
    min-width: 0;
  }
  dt {
    color: var(--sy-muted);
    font-size: 0.75rem;
    text-transform: uppercase;
    letter-spacing: 0.04em;
  }
  dd {
    margin: 0;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  dd.hash {
    display: flex;
    gap: 0.4rem;
    align-items: center;
  }
  code {
    font: 0.8125rem ui-monospace, SFMono-Regular, Menlo, monospace;
  }
  dd.hash code {
    overflow-wrap: anywhere;
  }
  .small {
    font-size: 0.75rem;
    padding: 0.2em 0.6em;
  }
  .chip {
    display: inline-block;
    font-size: 0.75rem;
    padding: 0.1em 0.5em;
    margin-right: 0.25rem;
    border-radius: 999px;
    background: var(--sy-hover);
  }
  .panes {
    display: grid;
    grid-template-columns: minmax(0, 3fr) minmax(16rem, 2fr);
    gap: 1.25rem;
    align-items: start;
  }
  @media (max-width: 60rem) {
    .panes {
      grid-template-columns: minmax(0, 1fr);
    }
    artifact-search {
      order: 3;
      flex-basis: 100%;
    }
    dialog {
      --artifact-content-height: 55vh;
    }
  }
  [role='tablist'] {
    display: flex;
    gap: 0.25rem;
    border-bottom: 1px solid var(--sy-border);
    margin-bottom: 0.75rem;
  }
  [role='tab'] {
    border: none;
    border-bottom: 2px solid transparent;
    border-radius: 0;
    background: transparent;
    padding: 0.4em 0.8em;
  }
  [role='tab'][aria-selected='true'] {
    border-bottom-color: var(--sy-accent);
    font-weight: 600;
  }
  .state {
    margin: 1rem 0;
    display: flex;
    gap: 0.75rem;
    align-items: center;
    flex-wrap: wrap;
  }
  dl.meta > .notice {
    font-size: 0.8125rem;
    margin: 0;
  }
`;
