// <board-help>: the Harmony Board's keyboard shortcuts overlay (the `?` key), a modal dialog printed
// from the one shortcut table (core/board-shortcuts.ts) that the board's key handling also reads.
import { css, html, LitElement } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { BOARD_SHORTCUTS, type BoardShortcut, chordText, shortcutText } from '../core/board-shortcuts.js';
import { RUN_SHORTCUT } from '../monitor/run-button.js';
import { dialogStyles, sharedStyles } from '../styles/shared.js';

/**
 * Every board shortcut, grouped (Select, Edit, While connecting, View, Run), in a modal dialog that
 * opens when connected. Escape, the Close button or `?` again close it.
 *
 * @fires help-close - the dialog closed.
 */
@customElement('board-help')
export class BoardHelp extends LitElement {
  static override styles = [
    sharedStyles,
    dialogStyles,
    css`
      dialog {
        padding: 1rem 1.25rem;
        width: min(48rem, calc(100vw - 2rem));
      }
      header {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 1rem;
      }
      h2 {
        margin: 0;
        font-size: 1.05rem;
      }
      .groups {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(19rem, 1fr));
        gap: 0.5rem 1.5rem;
      }
      h3 {
        margin: 0.9rem 0 0.3rem;
        font-size: 0.8125rem;
        color: var(--sy-muted);
        text-transform: uppercase;
        letter-spacing: 0.04em;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        font-size: 0.8125rem;
      }
      th {
        width: 60%;
        font-weight: normal;
        text-align: left;
        padding: 0.2rem 0.5rem 0.2rem 0;
      }
      td {
        padding: 0.2rem 0;
        text-align: right;
      }
      kbd {
        font: 600 0.75rem ui-monospace, monospace;
        border: 1px solid var(--sy-border);
        border-bottom-width: 2px;
        border-radius: 4px;
        padding: 0.05rem 0.35rem;
        background: var(--sy-bg);
        white-space: nowrap;
        display: inline-block;
        margin: 1px 0;
      }
      p {
        font-size: 0.8125rem;
        color: var(--sy-muted);
        margin: 0.9rem 0 0;
      }
    `,
  ];

  /** ⌘ instead of Ctrl. */
  @property({ type: Boolean }) mac = false;

  @query('dialog') private dialog!: HTMLDialogElement;

  protected override firstUpdated(): void {
    this.dialog.showModal();
  }

  protected override render() {
    const groups = new Map<string, BoardShortcut[]>();
    for (const s of BOARD_SHORTCUTS) {
      if (s.hidden) continue;
      const list = groups.get(s.group);
      if (list) list.push(s);
      else groups.set(s.group, [s]);
    }
    return html`<dialog aria-labelledby="board-help-title" data-testid="board-help"
        @close=${() => this.dispatchEvent(new CustomEvent('help-close'))} @keydown=${this.onKeydown}>
      <header>
        <h2 id="board-help-title">Board keyboard shortcuts</h2>
        <button data-testid="board-help-close" @click=${() => this.dialog.close()}>Close</button>
      </header>
      <div class="groups">
        ${[...groups].map(
          ([group, rows]) => html`<section>
            <h3>${group}</h3>
            <table>
              ${rows.map(
                (s) => html`<tr data-action=${s.action}>
                  <th scope="row">${s.label}</th>
                  <td>${shortcutText(s.action, this.mac)
                    .split(' or ')
                    .map((k, i) => html`${i > 0 ? ' or ' : ''}<kbd>${k}</kbd>`)}</td>
                </tr>`,
              )}
            </table>
          </section>`,
        )}
        <section>
          <h3>Run</h3>
          <table>
            <tr data-action="run">
              <th scope="row">Run the workflow</th>
              <td><kbd>${chordText(RUN_SHORTCUT, this.mac)}</kbd></td>
            </tr>
          </table>
        </section>
      </div>
      <p>Right-click a node, an edge or the board (or press Shift+F10) for its menu. Drag on empty board
        with Shift held to select with a box.</p>
    </dialog>`;
  }

  private onKeydown(e: KeyboardEvent): void {
    // Escape closes the dialog (the browser's cancel), not the page; `?` closes it too.
    e.stopPropagation();
    if (e.key === '?') {
      e.preventDefault();
      this.dialog.close();
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'board-help': BoardHelp;
  }
}
