// Styles every Symphony element shares: buttons, text fields, focus rings, a visually-hidden helper.
import { css } from 'lit';

/**
 * Styles every Symphony element shares: buttons, text fields, focus rings and a visually-hidden
 * helper. Colours and sizes come from the custom properties declared in `index.html`.
 */
export const sharedStyles = css`
  :host {
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  /* \`hidden\` must win over the display rules below (buttons are inline-flex). */
  [hidden] {
    display: none !important;
  }
  button,
  input {
    font: inherit;
    color: inherit;
  }
  button {
    display: inline-flex;
    align-items: center;
    gap: 0.4em;
    padding: 0.45em 0.9em;
    border: 1px solid var(--sy-border);
    border-radius: var(--sy-radius);
    background: var(--sy-surface);
    cursor: pointer;
    line-height: 1.2;
    white-space: nowrap;
  }
  button:hover {
    background: var(--sy-hover);
  }
  button.primary {
    background: var(--sy-accent);
    border-color: var(--sy-accent);
    color: #fff;
  }
  button.primary:hover:not([aria-disabled='true']) {
    background: var(--sy-accent-strong);
  }
  button.danger {
    color: var(--sy-danger);
  }
  button.danger.solid {
    background: var(--sy-danger);
    border-color: var(--sy-danger);
    color: #fff;
  }
  button.ghost {
    border-color: transparent;
    background: transparent;
  }
  button.ghost:hover {
    background: var(--sy-hover);
  }
  /* aria-disabled: still focusable and still says why (the Run button while the workflow has errors). */
  button:disabled,
  button[aria-disabled='true'] {
    opacity: 0.5;
    cursor: default;
  }
  input[type='text'],
  input[type='search'] {
    padding: 0.5em 0.75em;
    border: 1px solid var(--sy-border);
    border-radius: var(--sy-radius);
    background: var(--sy-surface);
    min-width: 0;
  }
  input[aria-invalid='true'] {
    border-color: var(--sy-danger);
  }
  :focus-visible {
    outline: 2px solid var(--sy-accent);
    outline-offset: 2px;
  }
  input:focus-visible {
    outline-offset: 0;
  }
  .error {
    color: var(--sy-danger);
    font-size: 0.875rem;
    margin: 0.35rem 0 0;
  }
  .muted {
    color: var(--sy-muted);
  }
  kbd {
    font: 0.75rem/1 ui-monospace, SFMono-Regular, Menlo, monospace;
    padding: 0.15em 0.4em;
    border: 1px solid var(--sy-border);
    border-bottom-width: 2px;
    border-radius: 4px;
    background: var(--sy-surface);
    color: var(--sy-muted);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0, 0, 0, 0);
    white-space: nowrap;
    border: 0;
  }
`;

/**
 * A header popover's panel and its list (the Outbox, invitations): anchored under its button, never
 * wider than the window. Each element adds which side it opens to (`left: 0` or `right: 0`).
 */
export const popoverPanelStyles = css`
  .panel {
    position: absolute;
    top: calc(100% + 0.4rem);
    z-index: 10;
    width: min(24rem, calc(100vw - 2rem));
    max-height: 60vh;
    overflow: auto;
    padding: 0.75rem 1rem;
    background: var(--sy-surface);
    border: 1px solid var(--sy-border);
    border-radius: var(--sy-radius);
    box-shadow: var(--sy-shadow);
  }
  h2 {
    font-size: 0.95rem;
    margin: 0 0 0.5rem;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.5rem;
  }
  li {
    display: grid;
    border: 1px solid var(--sy-border);
    border-radius: var(--sy-radius);
  }
`;

/**
 * A modal `<dialog>` (members, trash, template documents, board help): one look for all of them,
 * never larger than the window. Each element sets its own `width` when it needs more or less room.
 */
export const dialogStyles = css`
  dialog {
    box-sizing: border-box;
    width: min(34rem, calc(100vw - 2rem));
    max-height: calc(100vh - 2rem);
    overflow: auto;
    border: 1px solid var(--sy-border);
    border-radius: var(--sy-radius);
    box-shadow: var(--sy-shadow);
    padding: 1.25rem 1.5rem;
    background: var(--sy-surface);
    color: inherit;
  }
  dialog::backdrop {
    background: rgba(15, 20, 25, 0.35);
  }
`;
