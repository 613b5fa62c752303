// <param-inspector>: the Harmony Board's form for one node's parameters, generated from its type's zod
// schema, with validation's live errors.
import { type NodeId, NodeLibrary, type WorkflowNode } from '@symphony/schemas';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import type { DocumentChoice } from '../core/document-choices.js';
import {
  formatFieldValue,
  type ParamField,
  paramErrors,
  paramFields,
  readFieldInput,
} from '../core/param-fields.js';
import { sharedStyles } from '../styles/shared.js';
import './document-picker.js';

/** Detail of `param-change`. */
export interface ParamChange {
  readonly node: NodeId;
  readonly name: string;
  /** The new value; `undefined` removes the parameter. */
  readonly value: unknown;
}

const fieldCache = new Map<string, ParamField[]>();

/**
 * A form for one node's parameters, generated from its type's zod schema (via JSON Schema):
 * text, multi-line text, numbers, switches, choices, lists (one item per line) and workspace
 * documents (picked by title, stored by id), each with the live errors of validation. A field's
 * edit is committed when it changes (blur or Enter; a document when it is picked).
 *
 * @fires param-change - `CustomEvent<ParamChange>`.
 */
@customElement('param-inspector')
export class ParamInspector extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        font-size: 0.8125rem;
      }
      h2 {
        font-size: 0.9rem;
        margin: 0;
      }
      .type {
        color: var(--sy-muted);
        margin: 0.1rem 0 0.75rem;
      }
      .badge {
        font-size: 0.6875rem;
        font-weight: 500;
        padding: 0 0.35rem;
        border: 1px solid currentColor;
        border-radius: 0.6rem;
        color: var(--sy-muted);
        white-space: nowrap;
      }
      .field {
        display: flex;
        flex-direction: column;
        gap: 0.2rem;
        margin-bottom: 0.7rem;
      }
      .field.check {
        flex-direction: row;
        align-items: center;
      }
      label {
        font-weight: 600;
      }
      input,
      select,
      textarea {
        font: inherit;
        padding: 0.35em 0.5em;
        border: 1px solid var(--sy-border);
        border-radius: 6px;
        background: var(--sy-surface);
        width: 100%;
      }
      input[type='checkbox'] {
        width: auto;
      }
      textarea {
        min-height: 4.5rem;
        resize: vertical;
      }
      [aria-invalid='true'] {
        border-color: var(--sy-danger);
      }
      .error {
        margin: 0;
        font-size: 0.75rem;
      }
      .note {
        font-size: 0.75rem;
        color: var(--sy-muted);
      }
    `,
  ];

  /** The node's id. */
  @property({ attribute: false }) nodeId: NodeId | null = null;
  /** The node (its current version). */
  @property({ attribute: false }) node: WorkflowNode | null = null;
  /** The workspace's documents, for document parameters. */
  @property({ attribute: false }) documents: readonly DocumentChoice[] = [];
  /** Shows the parameters without letting the person change them (a viewer). */
  @property({ type: Boolean }) readOnly = false;

  protected override render() {
    const node = this.node;
    const id = this.nodeId;
    if (node === null || id === null) return nothing;
    const spec = NodeLibrary.get(node.type);
    if (!spec) return html`<p class="error">Unknown node type “${node.type}”: nothing to edit.</p>`;
    const fields = fieldsOf(node.type);
    const errors = paramErrors(spec, node.params);
    return html`<h2>${node.label ?? spec.title}</h2>
      <p class="type">${spec.title} · ${spec.kind}${spec.badge ? html` <span class="badge" data-testid="node-badge">${spec.badge}</span>` : nothing} — ${spec.description}</p>
      <form data-testid="param-inspector" @submit=${(e: Event) => e.preventDefault()}>
        <fieldset ?disabled=${this.readOnly} style="border:0;padding:0;margin:0;min-width:0">
          ${fields.length === 0 ? html`<p class="note">This node has no parameters.</p>` : nothing}
          ${fields.map((f) => this.renderField(id, f, node.params[f.name], errors.get(f.name) ?? []))}
        </fieldset>
      </form>`;
  }

  private renderField(node: NodeId, f: ParamField, value: unknown, errors: readonly string[]) {
    const inputId = `param-${f.name}`;
    const errorId = `param-${f.name}-error`;
    const invalid = errors.length > 0 ? 'true' : 'false';
    const commit = (raw: string | boolean): void => {
      if (this.readOnly) return;
      this.dispatchEvent(
        new CustomEvent<ParamChange>('param-change', {
          detail: { node, name: f.name, value: readFieldInput(f, raw) },
        }),
      );
    };
    const label = html`<label for=${inputId}>${f.label}${f.required ? ' *' : ''}</label>`;
    const error = html`<p class="error" id=${errorId} role="alert" data-testid="param-error">${errors.join('; ')}</p>`;
    const text = formatFieldValue(f, value);
    switch (f.kind) {
      case 'boolean':
        return html`<div class="field check" data-param=${f.name}>
          <input id=${inputId} type="checkbox" .checked=${live(value === true)}
            @change=${(e: Event) => commit((e.target as HTMLInputElement).checked)} />
          ${label} ${error}
        </div>`;
      case 'enum':
        return html`<div class="field" data-param=${f.name}>
          ${label}
          <select id=${inputId} aria-invalid=${invalid} aria-describedby=${errorId}
            @change=${(e: Event) => commit((e.target as HTMLSelectElement).value)}>
            ${
              typeof value === 'string' && !f.options.includes(value)
                ? html`<option value=${value} selected>${value} (not allowed)</option>`
                : nothing
            }
            ${f.options.map(
              (o) => html`<option value=${o} ?selected=${o === value}>${f.optionTitles?.[o] ?? o}</option>`,
            )}
          </select>
          ${error}
        </div>`;
      case 'number':
        return html`<div class="field" data-param=${f.name}>
          ${label}
          <input id=${inputId} type="number" step=${f.integer ? '1' : 'any'} min=${f.min ?? nothing} max=${f.max ?? nothing}
            .value=${live(text)} aria-invalid=${invalid} aria-describedby=${errorId}
            @change=${(e: Event) => commit((e.target as HTMLInputElement).value)} />
          ${error}
        </div>`;
      case 'string':
      case 'string-list':
        return html`<div class="field" data-param=${f.name}>
          ${label}
          ${
            f.kind === 'string-list' || f.multiline
              ? html`<textarea id=${inputId} .value=${live(text)} aria-invalid=${invalid} aria-describedby=${errorId}
                  @change=${(e: Event) => commit((e.target as HTMLTextAreaElement).value)}></textarea>`
              : html`<input id=${inputId} type="text" .value=${live(text)} aria-invalid=${invalid} aria-describedby=${errorId}
                  maxlength=${f.maxLength ?? nothing}
                  @change=${(e: Event) => commit((e.target as HTMLInputElement).value)} />`
          }
          ${f.kind === 'string-list' ? html`<span class="note">One per line.</span>` : nothing}
          ${error}
        </div>`;
      case 'document':
        return html`<div class="field" data-param=${f.name}>
          <label @click=${() => this.renderRoot.querySelector<HTMLElement>(`#${inputId}`)?.focus()}
            >${f.label}${f.required ? ' *' : ''}</label>
          <document-picker id=${inputId} .documents=${this.documents} .value=${typeof value === 'string' ? value : ''}
            .label=${f.label} ?disabled=${this.readOnly} ?invalid=${errors.length > 0}
            @document-pick=${(e: CustomEvent<string>) => commit(e.detail)}></document-picker>
          ${error}
        </div>`;
      case 'unsupported':
        return html`<div class="field" data-param=${f.name}>
          ${label}<code>${text}</code>
          <span class="note">Edit this parameter in an exported file.</span>${error}
        </div>`;
    }
  }
}

function fieldsOf(type: string): ParamField[] {
  let fields = fieldCache.get(type);
  if (fields === undefined) {
    const spec = NodeLibrary.get(type);
    fields = spec ? paramFields(spec.params) : [];
    fieldCache.set(type, fields);
  }
  return fields;
}

declare global {
  interface HTMLElementTagNameMap {
    'param-inspector': ParamInspector;
  }
}
