// <artifact-inspector>: one artifact in a modal dialog — its content shown for its kind, size, media
// type, hash, names, the versions of its name with a diff between two, its lineage as a graph and
// the runs that produced or used it — and a search over artifacts.
import {
  type ArtifactDetailResponse,
  ArtifactHash,
  type ArtifactLineageResponse,
  type ArtifactVersion,
} from '@symphony/schemas';
import { html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import {
  type ContentView,
  contentView,
  downloadName,
  formatBytes,
  shortHash,
} from '../core/artifact-view.js';
import { monitorErrorText } from '../core/monitor-error-text.js';
import { type MonitorApi, MonitorApiError } from '../monitor/monitor-api.js';
import { dialogStyles, sharedStyles } from '../styles/shared.js';
import { inspectorStyles } from './artifact-inspector.styles.js';
import './artifact-content.js';
import './artifact-diff.js';
import './artifact-lineage.js';
import './artifact-search.js';
import type { ArtifactSearch } from './artifact-search.js';

type Tab = 'content' | 'versions';

/** What the inspector shows of the open artifact. */
type Loaded =
  | { readonly state: 'none' }
  | { readonly state: 'loading'; readonly hash: string }
  /** `retry`: trying again may help (the orchestrator was unreachable or failed). */
  | { readonly state: 'failed'; readonly hash: string; readonly message: string; readonly retry: boolean }
  | { readonly state: 'shown'; readonly detail: ArtifactDetailResponse; readonly view: ContentView };

/**
 * The artifact inspector, a modal dialog that opens when the element is connected (render it while
 * it should show) and again whenever `hash` changes to another artifact. `hash` null shows the
 * search alone. Artifacts opened from the lineage, the versions or the search stack up: Back returns
 * to the previous one. Escape (or Close) closes it.
 *
 * @fires close - the dialog closed (Escape or Close).
 * @fires run-open - `detail.runId`, `detail.nodeId`: a run of the lineage was chosen (bubbles, composed).
 */
@customElement('artifact-inspector')
export class ArtifactInspector extends LitElement {
  static override styles = [sharedStyles, dialogStyles, inspectorStyles];

  @property({ attribute: false }) api: MonitorApi | undefined;
  /** The artifact to show (a 64-hex SHA-256), or null for the search alone. */
  @property({ attribute: false }) hash: string | null = null;
  /** The workflow whose runs the search is narrowed to by default. */
  @property() workflowId = '';
  /** Titles of the open workflow's nodes, for the lineage's runs (see `<artifact-lineage>`). */
  @property({ attribute: false }) nodeTitle: ((nodeId: string) => string | undefined) | undefined;

  /** The artifacts opened before the current one here, newest last. */
  @state() private back: string[] = [];
  @state() private current: string | null = null;
  @state() private loaded: Loaded = { state: 'none' };
  @state() private lineage: ArtifactLineageResponse | null = null;
  @state() private lineageError: string | null = null;
  @state() private tab: Tab = 'content';
  /** What the last copy or download did. */
  @state() private notice: { readonly text: string; readonly error: boolean } | null = null;

  @query('dialog') private dialog!: HTMLDialogElement;
  @query('#inspector-title') private heading!: HTMLElement;
  @query('artifact-search') private searchBox!: ArtifactSearch;
  /** Move the keyboard to the heading once the artifact is shown (it was opened from inside). */
  private focusHeading = false;

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('hash')) {
      this.back = [];
      this.current = this.hash;
    }
    // Loading here, before render, so its first state changes join this update. A new `api` alone
    // loads again only when there was none (the board hands the same one on every render).
    if (
      changed.has('current') ||
      changed.has('hash') ||
      (changed.has('api') && changed.get('api') === undefined)
    )
      void this.load();
  }

  protected override async firstUpdated(): Promise<void> {
    this.dialog.showModal();
    if (this.current !== null) return;
    await this.searchBox.updateComplete;
    this.searchBox.focus();
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('hash') && this.hash !== null && changed.get('hash') !== undefined && !this.dialog.open)
      this.dialog.showModal();
    if (this.focusHeading && this.loaded.state === 'shown') {
      this.focusHeading = false;
      this.heading?.focus();
    }
  }

  protected override render() {
    return html`<dialog aria-labelledby="inspector-title" data-testid="artifact-inspector" @close=${this.onClose}>
      <header class="top">
        <div class="title">
          ${
            this.back.length === 0
              ? null
              : html`<button class="ghost" aria-label="Back to the previous artifact" data-testid="inspector-back"
                  @click=${this.goBack}>← Back</button>`
          }
          <h2 id="inspector-title" tabindex="-1">${this.headingText()}</h2>
        </div>
        <artifact-search .api=${this.api} workflowId=${this.workflowId}
          @artifact-open=${this.onSearchOpen}></artifact-search>
        <button class="close" data-testid="inspector-close" @click=${() => this.dialog.close()}>Close</button>
      </header>
      <div class="scroll" @artifact-open=${this.onOpen} @artifact-download=${this.download}>
        ${this.renderBody()}
      </div>
    </dialog>`;
  }

  private headingText(): string {
    if (this.loaded.state !== 'shown') return this.current === null ? 'Artifacts' : 'Artifact';
    const newest = newestName(this.loaded.detail.names);
    return newest === undefined
      ? `Artifact ${shortHash(this.loaded.detail.info.hash)}`
      : `${newest.name} · v${newest.version}`;
  }

  private renderBody() {
    const loaded = this.loaded;
    switch (loaded.state) {
      case 'none':
        return html`<p class="state muted" data-testid="inspector-empty">Search the artifacts of your runs above, or open one
          from a run’s inputs and outputs.</p>`;
      case 'loading':
        return html`<p class="state muted" role="status">Loading artifact ${shortHash(loaded.hash)}…</p>`;
      case 'failed':
        return html`<div class="state" role="alert" data-testid="inspector-error">
          <span class="error">${loaded.message}</span>
          ${loaded.retry ? html`<button @click=${() => void this.load()}>Try again</button>` : null}
        </div>`;
      case 'shown':
        return this.renderArtifact(loaded.detail, loaded.view);
    }
  }

  private renderArtifact(detail: ArtifactDetailResponse, view: ContentView) {
    const { info, names } = detail;
    return html`${this.renderMeta(detail)}
      <div class="panes">
        <section aria-label="Content">
          ${
            names.length === 0
              ? null
              : html`<div role="tablist" aria-label="Artifact views" @keydown=${this.onTabKey}>
                  ${this.renderTab('content', 'Content')}
                  ${this.renderTab('versions', `Versions of ${newestName(names)?.name}`)}
                </div>`
          }
          <div role=${names.length === 0 ? 'region' : 'tabpanel'} id="panel-content"
            aria-labelledby=${names.length === 0 ? 'inspector-title' : 'tab-content'} ?hidden=${this.tab !== 'content'}>
            <artifact-content .view=${view} .size=${info.size} ?truncated=${detail.preview.truncated}
              label=${`Content of ${this.headingText()}`}></artifact-content>
          </div>
          <div role="tabpanel" id="panel-versions" aria-labelledby="tab-versions" ?hidden=${this.tab !== 'versions'}>
            ${
              this.tab === 'versions'
                ? html`<artifact-diff .api=${this.api} .names=${names} hash=${info.hash}></artifact-diff>`
                : null
            }
          </div>
        </section>
        <aside aria-label="Lineage">
          ${
            this.lineageError !== null
              ? html`<p class="error" role="alert">The lineage cannot be shown: ${this.lineageError}</p>`
              : this.lineage === null
                ? html`<p class="muted" role="status">Loading lineage…</p>`
                : html`<artifact-lineage .lineage=${this.lineage} .nodeTitle=${this.nodeTitle}></artifact-lineage>`
          }
        </aside>
      </div>`;
  }

  private renderTab(tab: Tab, label: string) {
    const selected = this.tab === tab;
    return html`<button role="tab" id="tab-${tab}" aria-controls="panel-${tab}" aria-selected=${String(selected)}
      tabindex=${selected ? 0 : -1} data-testid="inspector-tab-${tab}" @click=${() => (this.tab = tab)}>${label}</button>`;
  }

  private renderMeta(detail: ArtifactDetailResponse) {
    const { info, names } = detail;
    return html`<dl class="meta" data-testid="artifact-meta">
        <div><dt>Type</dt><dd data-testid="artifact-media-type">${info.mediaType}</dd></div>
        <div><dt>Size</dt><dd data-testid="artifact-size" title=${`${info.size.toLocaleString('en')} bytes`}>${formatBytes(info.size)}</dd></div>
        <div><dt>Stored</dt><dd>${new Date(info.created).toLocaleString()}</dd></div>
        <div><dt>Hash</dt><dd class="hash"><code data-testid="artifact-hash">${info.hash}</code>
          <button class="small" aria-label="Copy the hash" data-testid="copy-hash" @click=${() => void this.copyHash(info.hash)}>Copy</button></dd></div>
        ${
          names.length === 0
            ? null
            : html`<div><dt>Names</dt><dd>${names.map((n) => html`<span class="chip">${n.name} v${n.version}</span>`)}</dd></div>`
        }
        ${
          info.tags.length === 0
            ? null
            : html`<div><dt>Tags</dt><dd>${info.tags.map((t) => html`<span class="chip">${t}</span>`)}</dd></div>`
        }
        <div><dt>File</dt><dd><button class="small" data-testid="artifact-download" @click=${this.download}>Download</button></dd></div>
        <div class="notice ${this.notice?.error ? 'error' : 'muted'}" role="status" data-testid="inspector-notice">${this.notice?.text ?? ''}</div>
      </dl>`;
  }

  /** Loads the open artifact and its lineage; a bad hash is refused here, without asking. */
  private async load(): Promise<void> {
    const hash = this.current;
    const api = this.api;
    this.notice = null;
    this.lineage = null;
    this.lineageError = null;
    if (hash === null) {
      this.loaded = { state: 'none' };
      return;
    }
    if (!ArtifactHash.safeParse(hash).success) {
      this.loaded = {
        state: 'failed',
        hash,
        message: `“${hash}” is not an artifact hash: it must be 64 lowercase hex digits (a SHA-256).`,
        retry: false,
      };
      return;
    }
    if (api === undefined) return;
    this.loaded = { state: 'loading', hash };
    const lineage = api.lineage(hash).then(
      (l) => {
        if (hash === this.current) this.lineage = l;
      },
      (error: unknown) => {
        if (hash === this.current) this.lineageError = monitorErrorText(error);
      },
    );
    try {
      const detail = await api.artifact(hash);
      if (hash !== this.current) return;
      this.loaded = { state: 'shown', detail, view: contentView(detail.preview) };
      if (detail.names.length === 0 && this.tab === 'versions') this.tab = 'content';
    } catch (error) {
      if (hash === this.current) {
        const retry =
          !(error instanceof MonitorApiError) || error.kind === 'unreachable' || (error.status ?? 500) >= 500;
        this.loaded = { state: 'failed', hash, message: monitorErrorText(error), retry };
      }
    }
    await lineage;
  }

  private onOpen(e: CustomEvent<{ hash: string }>): void {
    e.stopPropagation();
    const hash = e.detail.hash;
    if (hash === this.current) return;
    if (this.current !== null) this.back = [...this.back, this.current];
    this.current = hash;
    this.focusHeading = true;
  }

  private onSearchOpen(e: CustomEvent<{ hash: string }>): void {
    this.searchBox.clear();
    this.onOpen(e);
  }

  private goBack(): void {
    const previous = this.back.at(-1);
    if (previous === undefined) return;
    this.back = this.back.slice(0, -1);
    this.current = previous;
    this.focusHeading = true;
  }

  private onTabKey(e: KeyboardEvent): void {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    this.tab = e.key === 'ArrowLeft' || e.key === 'Home' ? 'content' : 'versions';
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(`#tab-${this.tab}`)?.focus(),
    );
  }

  private async copyHash(hash: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(hash);
      this.notice = { text: 'Hash copied.', error: false };
    } catch {
      this.notice = { text: 'The browser did not allow copying: select the hash and copy it.', error: true };
    }
  }

  private async download(): Promise<void> {
    if (this.loaded.state !== 'shown' || this.api === undefined) return;
    const { detail } = this.loaded;
    this.notice = { text: `Downloading ${formatBytes(detail.info.size)}…`, error: false };
    try {
      const bytes = await this.api.artifactBytes(detail.info.hash);
      // Never the stored type: a blob URL of text/html or SVG would be a page of the board's origin.
      const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = downloadName(detail);
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 0);
      this.notice = { text: `Downloaded as ${link.download}.`, error: false };
    } catch (error) {
      this.notice = { text: `The download failed: ${monitorErrorText(error)}`, error: true };
    }
  }

  private onClose(): void {
    this.dispatchEvent(new Event('close'));
  }
}

/** The name an artifact most recently became. */
function newestName(names: readonly ArtifactVersion[]): ArtifactVersion | undefined {
  return [...names].sort((a, b) => b.created - a.created || b.version - a.version)[0];
}

declare global {
  interface HTMLElementTagNameMap {
    'artifact-inspector': ArtifactInspector;
  }
}
