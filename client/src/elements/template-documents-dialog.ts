// <template-documents-dialog>: asks for the Documents a Workflow template reads and writes before the
// Workflow is created, one document picker per question; what is left unchosen is asked for on the board.
import type { TemplateDocumentSlot, WorkflowTemplate } from '@symphony/schemas';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { DocumentChoice } from '../core/document-choices.js';
import { dialogStyles, sharedStyles } from '../styles/shared.js';
import './document-picker.js';

/** Detail of `template-documents-confirm`: slot → chosen document id (unchosen slots left out). */
export interface TemplateDocumentsConfirm {
  readonly documents: Readonly<Record<string, string>>;
}

/**
 * A modal dialog naming the template and asking each of its document questions ("Document to
 * summarize") with a picker of the workspace's documents. Create makes the workflow with what was
 * chosen; a question left open stays empty, and the board's findings ask for it. Esc or Cancel
 * closes without creating anything.
 *
 * @fires template-documents-confirm - `CustomEvent<TemplateDocumentsConfirm>`.
 * @fires template-documents-cancel - closed without creating.
 */
@customElement('template-documents-dialog')
export class TemplateDocumentsDialog extends LitElement {
  static override styles = [
    sharedStyles,
    dialogStyles,
    css`
      dialog {
        width: min(32rem, calc(100vw - 2rem));
      }
      h2 {
        margin: 0 0 0.3rem;
        font-size: 1.05rem;
      }
      .lead,
      .note {
        margin: 0 0 0.9rem;
        color: var(--sy-muted);
        font-size: 0.875rem;
      }
      .field {
        display: flex;
        flex-direction: column;
        gap: 0.25rem;
        margin-bottom: 0.8rem;
      }
      label {
        font-weight: 600;
        font-size: 0.875rem;
      }
      .access {
        font-weight: 400;
        color: var(--sy-muted);
      }
      .actions {
        display: flex;
        justify-content: flex-end;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
    `,
  ];

  /** The template being instantiated; null closes the dialog. */
  @property({ attribute: false }) template: WorkflowTemplate | null = null;
  /** Its document questions. */
  @property({ attribute: false }) slots: readonly TemplateDocumentSlot[] = [];
  /** The workspace's documents. */
  @property({ attribute: false }) documents: readonly DocumentChoice[] = [];

  @state() private chosen: Record<string, string> = {};

  @query('dialog') private dialog!: HTMLDialogElement;

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (!changed.has('template')) return;
    if (this.template !== null && !this.dialog.open) {
      this.chosen = {};
      this.dialog.showModal();
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLElement>('document-picker')?.focus(),
      );
    } else if (this.template === null && this.dialog.open) {
      this.dialog.close();
    }
  }

  protected override render() {
    const template = this.template;
    const open = this.slots.filter((s) => (this.chosen[s.slot] ?? '') === '').length;
    return html`<dialog
      aria-labelledby="template-documents-title"
      data-testid="template-documents"
      @cancel=${(e: Event) => {
        e.preventDefault();
        this.cancel();
      }}
    >
      ${
        template === null
          ? nothing
          : html`<h2 id="template-documents-title">${template.name}</h2>
            <p class="lead">Choose the documents this workflow works on.</p>
            <form method="dialog" @submit=${this.confirm}>
              ${this.slots.map(
                (s, i) => html`<div class="field" data-slot=${s.slot}>
                  <label id=${`slot-${i}`}>${s.question}
                    <span class="access">(${s.access === 'read' ? 'read' : 'written'})</span></label>
                  <document-picker
                    .documents=${this.documents}
                    .value=${this.chosen[s.slot] ?? ''}
                    .label=${s.question}
                    data-testid="template-document-picker"
                    @document-pick=${(e: CustomEvent<string>) => {
                      this.chosen = { ...this.chosen, [s.slot]: e.detail };
                    }}
                  ></document-picker>
                </div>`,
              )}
              ${
                open > 0
                  ? html`<p class="note" data-testid="template-documents-open">
                    ${
                      this.documents.length === 0
                        ? 'This workspace has no documents yet. '
                        : `${open === 1 ? 'One document is' : `${open} documents are`} not chosen yet. `
                    }You can create the workflow now and pick them on the board: its Problems list says which.
                  </p>`
                  : nothing
              }
              <div class="actions">
                <button type="button" @click=${this.cancel} data-testid="template-documents-cancel">Cancel</button>
                <button type="submit" class="primary" data-testid="template-create">Create workflow</button>
              </div>
            </form>`
      }
    </dialog>`;
  }

  private readonly confirm = (e: Event): void => {
    e.preventDefault();
    const documents = Object.fromEntries(Object.entries(this.chosen).filter(([, id]) => id !== ''));
    this.dialog.close();
    this.dispatchEvent(
      new CustomEvent<TemplateDocumentsConfirm>('template-documents-confirm', { detail: { documents } }),
    );
  };

  private readonly cancel = (): void => {
    this.dialog.close();
    this.dispatchEvent(new CustomEvent('template-documents-cancel'));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'template-documents-dialog': TemplateDocumentsDialog;
  }
}
