// <document-picker>: a combobox of the Workspace's Documents by title, with search; it stores a
// Document's id and shows its title (the Workflow board's document parameters and the template dialog).
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { type DocumentChoice, documentTitle, searchDocuments } from '../core/document-choices.js';
import { sharedStyles } from '../styles/shared.js';

let nextId = 0;

/**
 * Picks one workspace document: type to search the titles, arrows to move, Enter or a click to
 * choose, Esc to close the list (and only the list). Shows the chosen document's title; an id that
 * is not among the documents shows as such, so a deleted document is never shown as fine.
 *
 * @fires document-pick - `CustomEvent<string>`: the chosen document's id.
 */
@customElement('document-picker')
export class DocumentPicker extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        position: relative;
      }
      input {
        width: 100%;
        box-sizing: border-box;
      }
      ul {
        position: absolute;
        z-index: 20;
        left: 0;
        right: 0;
        top: 100%;
        margin: 2px 0 0;
        padding: 0.2rem 0;
        list-style: none;
        max-height: 14rem;
        overflow: auto;
        background: var(--sy-surface);
        border: 1px solid var(--sy-border);
        border-radius: 6px;
        box-shadow: 0 6px 18px rgb(0 0 0 / 0.12);
      }
      li {
        padding: 0.35rem 0.6rem;
        cursor: pointer;
        overflow-wrap: anywhere;
      }
      li[aria-selected='true'] {
        background: var(--sy-hover);
        outline: 2px solid var(--sy-accent);
        outline-offset: -2px;
      }
      li.chosen {
        font-weight: 600;
      }
      li.empty {
        color: var(--sy-muted);
        cursor: default;
      }
      .missing {
        margin: 0.2rem 0 0;
        font-size: 0.75rem;
        color: var(--sy-danger);
      }
    `,
  ];

  /** The workspace's documents. */
  @property({ attribute: false }) documents: readonly DocumentChoice[] = [];
  /** The chosen document's id ('' for none). */
  @property() value = '';
  /** The accessible name of the combobox (the parameter's title). */
  @property() label = 'Document';
  @property({ type: Boolean }) disabled = false;
  /** Marks the field invalid (validation has a finding about it). */
  @property({ type: Boolean }) invalid = false;

  @state() private open = false;
  @state() private query = '';
  @state() private active = 0;

  @query('input') private input!: HTMLInputElement;

  private readonly listId = `document-picker-${nextId++}`;

  /** Moves focus into the picker's text field. */
  override focus(): void {
    this.input?.focus();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('value') && !this.open) this.query = '';
  }

  protected override render() {
    const title = documentTitle(this.documents, this.value);
    const missing = this.value !== '' && title === undefined;
    const choices = this.open ? searchDocuments(this.documents, this.query) : [];
    const activeId = this.open && choices.length > 0 ? `${this.listId}-${this.active}` : undefined;
    return html`<input
        type="text"
        role="combobox"
        autocomplete="off"
        aria-label=${this.label}
        aria-autocomplete="list"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls=${this.listId}
        aria-activedescendant=${activeId ?? nothing}
        aria-invalid=${this.invalid || missing ? 'true' : 'false'}
        placeholder=${
          this.documents.length === 0
            ? 'No documents in this workspace yet'
            : this.open && title !== undefined
              ? title
              : 'Search documents by title…'
        }
        data-testid="document-picker-input"
        .value=${this.open ? this.query : (title ?? '')}
        ?disabled=${this.disabled}
        @focus=${this.openList}
        @click=${this.openList}
        @input=${(e: Event) => {
          this.query = (e.target as HTMLInputElement).value;
          this.active = 0;
          this.open = true;
        }}
        @keydown=${(e: KeyboardEvent) => this.onKeydown(e, choices)}
        @blur=${() => {
          this.open = false;
        }}
      />
      ${
        this.open
          ? html`<ul id=${this.listId} role="listbox" aria-label=${this.label} data-testid="document-picker-list">
            ${
              choices.length === 0
                ? html`<li class="empty" role="presentation">${
                    this.documents.length === 0
                      ? 'This workspace has no documents yet: create one on the home page.'
                      : `No document titled like “${this.query.trim()}”.`
                  }</li>`
                : choices.map(
                    (d, i) => html`<li
                      id=${`${this.listId}-${i}`}
                      role="option"
                      class=${d.id === this.value ? 'chosen' : ''}
                      aria-selected=${i === this.active ? 'true' : 'false'}
                      data-testid="document-option"
                      data-document-id=${d.id}
                      @mousedown=${(e: MouseEvent) => e.preventDefault()}
                      @click=${() => this.choose(d)}
                    >${d.title}</li>`,
                  )
            }
          </ul>`
          : nothing
      }
      ${
        missing
          ? html`<p class="missing" data-testid="document-picker-missing">
            The chosen document is not in this workspace any more. Pick another.
          </p>`
          : nothing
      }`;
  }

  private readonly openList = (): void => {
    if (this.disabled || this.open) return;
    this.query = '';
    const choices = searchDocuments(this.documents, '');
    this.active = Math.max(
      0,
      choices.findIndex((d) => d.id === this.value),
    );
    this.open = true;
  };

  private onKeydown(e: KeyboardEvent, choices: readonly DocumentChoice[]): void {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!this.open) {
        this.openList();
        return;
      }
      if (choices.length === 0) return;
      const step = e.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + choices.length) % choices.length;
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector(`#${this.listId}-${this.active}`)?.scrollIntoView({ block: 'nearest' }),
      );
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const choice = choices[this.active];
      if (this.open && choice !== undefined) this.choose(choice);
    } else if (e.key === 'Escape' && this.open) {
      // Closes the list only: the page behind stays where it is.
      e.preventDefault();
      e.stopPropagation();
      this.open = false;
    }
  }

  private choose(choice: DocumentChoice): void {
    this.open = false;
    this.query = '';
    if (choice.id !== this.value) {
      this.dispatchEvent(new CustomEvent<string>('document-pick', { detail: choice.id }));
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'document-picker': DocumentPicker;
  }
}
