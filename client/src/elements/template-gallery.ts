// <template-gallery>: a blank Workflow and the template library as cards; choosing one creates a Workflow.
import { WorkflowTemplates } from '@symphony/schemas';
import { css, html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';
import { sharedStyles } from '../styles/shared.js';

/** Detail of `template-pick`: a template id, or null for a blank workflow. */
export interface TemplatePick {
  readonly templateId: string | null;
}

/**
 * A blank workflow and the template library as cards; choosing one creates a new workflow.
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
    `,
  ];

  protected override render() {
    const pick = (templateId: string | null) => () =>
      this.dispatchEvent(
        new CustomEvent<TemplatePick>('template-pick', {
          detail: { templateId },
          bubbles: true,
          composed: true,
        }),
      );
    return html`<ul aria-label="Start a workflow" data-testid="template-gallery">
      <li>
        <button data-testid="template-card" data-template-id="blank" @click=${pick(null)}>
          <strong>Blank workflow</strong>
          <span class="desc">An empty board: drag nodes from the library.</span>
          <span class="meta">0 nodes</span>
        </button>
      </li>
      ${WorkflowTemplates.map(
        (t) => html`<li>
          <button data-testid="template-card" data-template-id=${t.id} @click=${pick(t.id)}>
            <strong>${t.name}</strong>
            <span class="desc">${t.description}</span>
            <span class="meta">${t.nodes.length} nodes · ${t.edges.length} edges</span>
          </button>
        </li>`,
      )}
    </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'template-gallery': TemplateGallery;
  }
}
