// <template-gallery>: a blank Workflow and the template library as cards; choosing one asks for its
// Documents, then creates a Workflow. A template that needs an AI instrument says so on its card.
import {
  templateDocumentSlots,
  templateNeedsInstrument,
  type WorkflowTemplate,
  WorkflowTemplates,
} from '@symphony/schemas';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { DocumentChoice } from '../core/document-choices.js';
import { sharedStyles } from '../styles/shared.js';
import './template-documents-dialog.js';
import type { TemplateDocumentsConfirm } from './template-documents-dialog.js';

/** Detail of `template-pick`: a template id (null for a blank workflow) and its chosen documents. */
export interface TemplatePick {
  readonly templateId: string | null;
  /** Slot (`<node key>.<param>`) → document id, for the template's document questions. */
  readonly documents: Readonly<Record<string, string>>;
}

/**
 * A blank workflow and the template library as cards; choosing a template asks for the documents
 * it reads and writes (a template never carries document ids of its own), then creates the workflow.
 * The cards of templates that need an AI instrument (a language model) carry the note "Needs an AI
 * instrument", part of the card's accessible name; every other template runs offline.
 *
 * @fires template-pick - `CustomEvent<TemplatePick>`.
 */
@customElement('template-gallery')
export class TemplateGallery extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
        gap: 0.75rem;
      }
      button {
        width: 100%;
        height: 100%;
        display: flex;
        flex-direction: column;
        align-items: flex-start;
        white-space: normal;
        text-align: left;
        gap: 0.3rem;
        padding: 0.8rem 0.9rem;
      }
      strong {
        font-size: 0.95rem;
      }
      .desc {
        font-size: 0.8125rem;
        color: var(--sy-muted);
      }
      .meta {
        font-size: 0.75rem;
        color: var(--sy-accent);
        margin-top: auto;
      }
      /* The view-only badge's colours: 7:1 contrast for small text. */
      .needs {
        font-size: 0.75rem;
        font-weight: 600;
        padding: 0.05rem 0.5rem;
        border-radius: 999px;
        background: #fff4d6;
        border: 1px solid #e5c46b;
        color: #6b4e00;
      }
    `,
  ];

  /** The workspace's documents, offered for the template's questions. */
  @property({ attribute: false }) documents: readonly DocumentChoice[] = [];

  @state() private asking: WorkflowTemplate | null = null;

  protected override render() {
    const emit = (templateId: string | null, documents: Readonly<Record<string, string>> = {}) =>
      this.dispatchEvent(
        new CustomEvent<TemplatePick>('template-pick', {
          detail: { templateId, documents },
          bubbles: true,
          composed: true,
        }),
      );
    const pick = (templateId: string | null) => () => {
      const template = WorkflowTemplates.find((t) => t.id === templateId);
      if (template !== undefined && templateDocumentSlots(template).length > 0) this.asking = template;
      else emit(templateId);
    };
    const asking = this.asking;
    return html`<template-documents-dialog
        .template=${asking}
        .slots=${asking === null ? [] : templateDocumentSlots(asking)}
        .documents=${this.documents}
        @template-documents-cancel=${() => {
          this.asking = null;
        }}
        @template-documents-confirm=${(e: CustomEvent<TemplateDocumentsConfirm>) => {
          this.asking = null;
          if (asking !== null) emit(asking.id, e.detail.documents);
        }}
      ></template-documents-dialog>
      <ul aria-label="Start a workflow" data-testid="template-gallery">
      <li>
        <button data-testid="template-card" data-template-id="blank" @click=${pick(null)}>
          <strong>Blank workflow</strong>
          <span class="desc">An empty board: drag nodes from the library.</span>
          <span class="meta">0 nodes</span>
        </button>
      </li>
      ${WorkflowTemplates.map(
        (t) => html`<li>
          <button
            data-testid="template-card"
            data-template-id=${t.id}
            data-needs-instrument=${templateNeedsInstrument(t)}
            @click=${pick(t.id)}
          >
            <strong>${t.name}</strong>
            <span class="desc">${t.description}</span>
            ${templateNeedsInstrument(t) ? NEEDS_INSTRUMENT : nothing}
            <span class="meta">${t.nodes.length} nodes · ${t.edges.length} edges · asks for ${documentsAsked(t)}</span>
          </button>
        </li>`,
      )}
    </ul>`;
  }
}

/** The note on a template that uses a language model: its runs fail until an AI instrument is configured. */
const NEEDS_INSTRUMENT = html`<span
  class="needs"
  data-testid="template-needs-instrument"
  title="It uses a language model: its runs fail until an AI instrument is configured. The other templates run offline."
  >Needs an AI instrument</span
>`;

/** "2 documents": how many documents the template asks for when it is chosen. */
function documentsAsked(template: WorkflowTemplate): string {
  const n = templateDocumentSlots(template).length;
  return `${n} ${n === 1 ? 'document' : 'documents'}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'template-gallery': TemplateGallery;
  }
}
