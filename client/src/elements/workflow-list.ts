// <workflow-list>: the Workspace's Workflows on the home page: open, rename, delete, import a workflow
// file, or create one blank or from a template.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { DocumentChoice } from '../core/document-choices.js';
import { relativeTime } from '../core/format.js';
import { routeHash } from '../core/route.js';
import type { WorkflowIndex, WorkflowSummary } from '../core/workflow-index.js';
import { sharedStyles } from '../styles/shared.js';
import './template-gallery.js';

/** Detail of `workflow-deleted`. */
export interface WorkflowRef {
  readonly url: string;
}

/**
 * The workspace's workflows on the home page: open, rename, delete, import a workflow file, and
 * create one (blank or from a template, through the `<template-gallery>`).
 *
 * @fires template-pick - from the gallery: create a workflow (handled by the app).
 * @fires workflow-renamed - `CustomEvent<{ url: string; name: string }>` after a rename here.
 * @fires workflow-deleted - `CustomEvent<WorkflowRef>` after a workflow was removed from the list.
 * @fires import-workflow-file - `CustomEvent<File>` when a workflow file was picked.
 */
@customElement('workflow-list')
export class WorkflowList extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        max-width: 52rem;
        margin: 0 auto;
        padding: 0 1.5rem 4rem;
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
        margin-bottom: 0.75rem;
      }
      h2 {
        font-size: 1.25rem;
        margin: 0;
        flex: 1;
      }
      ul.rows {
        list-style: none;
        margin: 0;
        padding: 0;
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        background: var(--sy-surface);
        overflow: hidden;
      }
      ul.rows li {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        padding: 0.55rem 1rem;
        min-height: 3.25rem;
      }
      ul.rows li + li {
        border-top: 1px solid var(--sy-border);
      }
      ul.rows li:hover {
        background: var(--sy-hover);
      }
      .name {
        flex: 1;
        min-width: 0;
        color: inherit;
        font-weight: 500;
        text-decoration: none;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .name:hover {
        text-decoration: underline;
      }
      .badge {
        font-size: 0.7rem;
        padding: 0.1em 0.5em;
        border-radius: 999px;
        background: #ece9ff;
        color: var(--sy-accent-strong);
      }
      .when {
        font-size: 0.8125rem;
        white-space: nowrap;
      }
      .row-actions {
        display: flex;
        gap: 0.25rem;
      }
      /* A phone: the name takes its own line, the date and actions go below it. */
      @media (max-width: 30rem) {
        :host {
          padding: 0 1rem 3rem;
        }
        ul.rows li {
          flex-wrap: wrap;
          gap: 0.25rem 0.75rem;
        }
        .name {
          flex-basis: calc(100% - 5rem);
        }
      }
      .row-actions button {
        padding: 0.3em 0.6em;
        font-size: 0.8125rem;
      }
      form.rename {
        flex: 1;
        display: flex;
        gap: 0.5rem;
      }
      form.rename input {
        flex: 1;
      }
      .gallery {
        margin-bottom: 1rem;
        padding: 1rem;
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        background: var(--sy-surface);
      }
      .empty {
        text-align: center;
        padding: 2rem 1rem;
        border: 1px dashed var(--sy-border);
        border-radius: var(--sy-radius);
        color: var(--sy-muted);
      }
      .import-errors {
        border: 1px solid var(--sy-danger);
        border-radius: var(--sy-radius);
        padding: 0.6rem 1rem;
        margin-bottom: 1rem;
        background: #fff5f5;
        font-size: 0.875rem;
      }
      .import-errors ul {
        margin: 0.35rem 0 0;
        padding-left: 1.2rem;
      }
    `,
  ];

  /** The workspace's workflow list; `null` while it opens. */
  @property({ attribute: false }) index: WorkflowIndex | null = null;
  /** The rows, most recently updated first. */
  @property({ attribute: false }) workflows: readonly WorkflowSummary[] = [];
  /** Problems with the last workflow file import, one per line; empty when there were none. */
  @property({ attribute: false }) importErrors: readonly string[] = [];
  /** The workspace's documents, for the documents a template asks for. */
  @property({ attribute: false }) documents: readonly DocumentChoice[] = [];
  /** A viewer's list: workflows open, but nothing is created, imported, renamed or deleted. */
  @property({ type: Boolean, attribute: 'read-only' }) readOnly = false;
  /** The clock used for "edited 5 minutes ago". */
  @property({ attribute: false }) now: () => Date = () => new Date();

  @state() private galleryOpen = false;
  @state() private renaming: { url: string; draft: string; error: string | null } | null = null;
  @state() private confirmingDelete: string | null = null;

  @query('#workflow-import') private importInput!: HTMLInputElement;

  protected override render() {
    return html`<section aria-labelledby="workflows-heading">
      <div class="head">
        <h2 id="workflows-heading">Workflows</h2>
        <button
          class="primary"
          ?hidden=${this.readOnly}
          data-testid="new-workflow"
          aria-expanded=${this.galleryOpen ? 'true' : 'false'}
          aria-controls="workflow-gallery"
          @click=${this.toggleGallery}
        >
          New workflow
        </button>
        <button data-testid="import-workflow" ?hidden=${this.readOnly} @click=${() => this.importInput.click()}>Import workflow…</button>
        <input
          id="workflow-import"
          type="file"
          hidden
          accept=".json,application/json"
          data-testid="import-workflow-input"
          @change=${this.onImportPicked}
        />
      </div>
      ${
        this.importErrors.length > 0
          ? html`<div class="import-errors" role="alert" data-testid="workflow-import-errors">
            <strong>That file could not be imported:</strong>
            <ul>
              ${this.importErrors.map((e) => html`<li>${e}</li>`)}
            </ul>
          </div>`
          : nothing
      }
      ${
        this.galleryOpen
          ? html`<div class="gallery" id="workflow-gallery" role="region" aria-label="Start a workflow"
              tabindex="-1" data-testid="workflow-gallery" @keydown=${this.onGalleryKeydown}
              @template-pick=${() => {
                this.galleryOpen = false;
              }}><template-gallery .documents=${this.documents}></template-gallery></div>`
          : nothing
      }
      ${
        this.workflows.length === 0
          ? html`<div class="empty" data-testid="workflows-empty">
            No workflows yet. Start one from a template, or import a workflow file.
          </div>`
          : html`<ul class="rows" aria-label="Workflows" data-testid="workflow-list">
            ${repeat(
              this.workflows,
              (w) => w.url,
              (w) => this.renderRow(w),
            )}
          </ul>`
      }
    </section>`;
  }

  /** "New workflow": opens the template gallery and brings it into view (or closes it). */
  private readonly toggleGallery = async (): Promise<void> => {
    this.galleryOpen = !this.galleryOpen;
    if (!this.galleryOpen) return;
    await this.updateComplete;
    const gallery = this.renderRoot.querySelector<HTMLElement>('#workflow-gallery');
    gallery?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    gallery?.focus({ preventScroll: true });
  };

  /** Escape in the gallery closes it and gives the focus back to "New workflow". */
  private onGalleryKeydown(e: KeyboardEvent): void {
    // A dialog inside the gallery (a template's documents) closes itself first.
    const inDialog = e.composedPath().some((el) => el instanceof HTMLDialogElement);
    if (e.key !== 'Escape' || e.defaultPrevented || inDialog) return;
    e.stopPropagation();
    this.galleryOpen = false;
    this.renderRoot.querySelector<HTMLElement>('[data-testid="new-workflow"]')?.focus();
  }

  private renderRow(w: WorkflowSummary) {
    const r = this.renaming;
    let content: unknown;
    if (r?.url === w.url) {
      content = html`<form class="rename" @submit=${this.commitRename}
          @keydown=${(e: KeyboardEvent) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              this.renaming = null;
            }
          }}>
          <label class="visually-hidden" for="wf-rename">New name for ${w.name}</label>
          <input id="wf-rename" type="text" data-testid="workflow-rename-input" .value=${r.draft}
            aria-invalid=${r.error === null ? 'false' : 'true'}
            @input=${(e: Event) => {
              this.renaming = { url: w.url, draft: (e.target as HTMLInputElement).value, error: null };
            }} />
          <button class="primary" type="submit" data-testid="workflow-save-rename">Save</button>
          <button type="button" @click=${() => (this.renaming = null)}>Cancel</button>
        </form>
        ${r.error === null ? nothing : html`<p class="error" role="alert">${r.error}</p>`}`;
    } else if (this.confirmingDelete === w.url) {
      content = html`<span class="name" role="alert">Delete <strong>${w.name}</strong> for everyone?</span>
        <div class="row-actions">
          <button class="danger solid" data-testid="workflow-confirm-delete" @click=${() => this.delete(w)}>Delete</button>
          <button @click=${() => (this.confirmingDelete = null)}>Cancel</button>
        </div>`;
    } else {
      content = html`<span class="badge" aria-hidden="true">workflow</span>
        <a class="name" href=${routeHash({ name: 'workflow', url: w.url })} data-testid="workflow-link">${w.name}</a>
        <span class="when muted" title=${new Date(w.updatedAt).toLocaleString()}
          >Edited ${relativeTime(w.updatedAt, this.now())}</span>
        <div class="row-actions" ?hidden=${this.readOnly}>
          <button class="ghost" aria-label=${`Rename ${w.name}`} data-testid="workflow-rename"
            @click=${() => {
              this.confirmingDelete = null;
              this.renaming = { url: w.url, draft: w.name, error: null };
            }}>Rename</button>
          <button class="ghost danger" aria-label=${`Delete ${w.name}`} data-testid="workflow-delete"
            @click=${() => {
              this.renaming = null;
              this.confirmingDelete = w.url;
            }}>Delete</button>
        </div>`;
    }
    return html`<li data-testid="workflow-row" data-workflow-url=${w.url} data-name=${w.name}>${content}</li>`;
  }

  private commitRename(e: Event): void {
    e.preventDefault();
    const r = this.renaming;
    if (r === null || this.index === null) return;
    try {
      this.index.rename(r.url, r.draft);
      this.renaming = null;
      this.dispatchEvent(
        new CustomEvent('workflow-renamed', {
          detail: { url: r.url, name: r.draft.trim() },
          bubbles: true,
          composed: true,
        }),
      );
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      this.renaming = { ...r, error: error.message };
    }
  }

  private delete(w: WorkflowSummary): void {
    this.confirmingDelete = null;
    if (this.index?.delete(w.url)) {
      this.dispatchEvent(
        new CustomEvent<WorkflowRef>('workflow-deleted', {
          detail: { url: w.url },
          bubbles: true,
          composed: true,
        }),
      );
    }
  }

  private onImportPicked(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file === undefined) return;
    this.dispatchEvent(
      new CustomEvent<File>('import-workflow-file', { detail: file, bubbles: true, composed: true }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'workflow-list': WorkflowList;
  }
  interface HTMLElementEventMap {
    'workflow-deleted': CustomEvent<WorkflowRef>;
    'workflow-renamed': CustomEvent<{ url: string; name: string }>;
    'import-workflow-file': CustomEvent<File>;
  }
}
