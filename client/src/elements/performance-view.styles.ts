// The performance view's look: a large modal dialog with the window selector in its header, the
// instruments table, a grid of charts (one column when narrow) and the router's tasks.
import { css } from 'lit';

export const performanceStyles = css`
  dialog {
    width: min(76rem, calc(100vw - 2rem));
    height: calc(100vh - 2rem);
    padding: 0;
    display: flex;
    flex-direction: column;
    overflow: hidden;
  }
  dialog:not([open]) {
    display: none;
  }
  header.top {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    align-items: center;
    padding: 0.9rem 1.25rem 0.75rem;
    border-bottom: 1px solid var(--sy-border);
  }
  h2 {
    margin: 0;
    font-size: 1.1rem;
    margin-right: auto;
  }
  h3 {
    margin: 0 0 0.5rem;
    font-size: 0.95rem;
  }
  h4 {
    margin: 0;
    font-size: 0.875rem;
  }
  [role='radiogroup'] {
    display: inline-flex;
    border: 1px solid var(--sy-border);
    border-radius: var(--sy-radius);
    overflow: hidden;
  }
  [role='radio'] {
    border: none;
    border-radius: 0;
    padding: 0.35em 0.8em;
  }
  [role='radio'] + [role='radio'] {
    border-left: 1px solid var(--sy-border);
  }
  [role='radio'][aria-checked='true'] {
    background: var(--sy-accent);
    color: #fff;
  }
  .scroll {
    flex: 1;
    overflow: auto;
    padding: 1rem 1.25rem 1.5rem;
    display: grid;
    gap: 1.5rem;
    align-content: start;
  }
  .scroll > * {
    min-width: 0;
  }
  .state {
    margin: 2rem 0;
    text-align: center;
    display: grid;
    gap: 0.75rem;
    justify-items: center;
  }
  .table-wrap {
    overflow-x: auto;
    border: 1px solid var(--sy-border);
    border-radius: var(--sy-radius);
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.875rem;
    font-variant-numeric: tabular-nums;
  }
  th,
  td {
    padding: 0.4rem 0.75rem;
    text-align: right;
    white-space: nowrap;
    border-bottom: 1px solid var(--sy-border);
  }
  tr:last-child > * {
    border-bottom: none;
  }
  thead th {
    font-size: 0.75rem;
    font-weight: 600;
    color: var(--sy-muted);
    text-transform: uppercase;
    letter-spacing: 0.03em;
    background: var(--sy-bg);
  }
  th:first-child,
  td:first-child {
    text-align: left;
  }
  tbody th {
    font-weight: normal;
  }
  tbody th button {
    padding: 0.2em 0.5em;
    font-weight: 600;
  }
  tbody th button[aria-pressed='true'] {
    border-color: var(--sy-accent);
    background: var(--sy-hover);
  }
  tr.selected {
    background: color-mix(in srgb, var(--sy-accent) 6%, transparent);
  }
  .failures {
    color: var(--sy-danger);
  }
  h3.charts-title {
    margin-top: 1rem;
  }
  .charts {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(26rem, 100%), 1fr));
    gap: 0.75rem;
  }
  .tasks {
    display: grid;
    gap: 1rem;
  }
  .task {
    display: grid;
    gap: 0.5rem;
  }
  .choice {
    margin: 0;
    font-size: 0.875rem;
  }
  tr.chosen {
    background: color-mix(in srgb, var(--sy-ok) 12%, transparent);
  }
  tr.chosen th {
    font-weight: 600;
  }
  .badge {
    display: inline-block;
    margin-left: 0.4rem;
    font-size: 0.7rem;
    padding: 0.05em 0.5em;
    border-radius: 999px;
    background: var(--sy-ok);
    color: #fff;
    vertical-align: 1px;
  }
  .quality {
    display: inline-flex;
    gap: 0.5rem;
    align-items: center;
  }
  meter {
    width: 6rem;
    height: 0.6rem;
  }
  code {
    font: 0.8125rem ui-monospace, SFMono-Regular, Menlo, monospace;
  }
`;
