// <artifact-content>: what an artifact holds, shown for its kind: Markdown rendered (sanitized, with
// its source a click away), JSON and code in a read-only code viewer, text preformatted, binary as
// its size and a download.
import DOMPurify from 'dompurify';
import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { type ContentView, formatBytes, markdownToSafeHtml } from '../core/artifact-view.js';
import { sharedStyles } from '../styles/shared.js';
import './artifact-code.js';

/**
 * One artifact's content. The Markdown of an artifact is untrusted: it is rendered by
 * `markdownToSafeHtml` (raw HTML as text, web links only, no images loaded) and DOMPurify.
 *
 * @fires artifact-download - the person asked for the whole bytes (a binary, or a truncated preview).
 */
@customElement('artifact-content')
export class ArtifactContent extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        min-height: 0;
      }
      .bar {
        display: flex;
        gap: 0.25rem;
        align-items: center;
      }
      .bar button {
        font-size: 0.8125rem;
        padding: 0.25em 0.7em;
      }
      .bar button[aria-pressed='true'] {
        background: var(--sy-hover);
        border-color: var(--sy-accent);
      }
      .notice {
        margin: 0;
        padding: 0.45rem 0.75rem;
        border-radius: var(--sy-radius);
        background: var(--sy-warn-bg);
        font-size: 0.875rem;
        display: flex;
        gap: 0.75rem;
        align-items: center;
        flex-wrap: wrap;
      }
      pre.text,
      .markdown {
        margin: 0;
        padding: 0.75rem 1rem;
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        overflow: auto;
        max-height: var(--artifact-content-height, 60vh);
        background: var(--sy-surface);
      }
      pre.text {
        font: 0.8125rem/1.5 ui-monospace, SFMono-Regular, Menlo, monospace;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      .markdown {
        line-height: 1.6;
        overflow-wrap: anywhere;
      }
      .markdown :is(h1, h2, h3, h4, h5, h6) {
        line-height: 1.3;
        margin: 1em 0 0.4em;
      }
      .markdown h1 {
        font-size: 1.4rem;
      }
      .markdown h2 {
        font-size: 1.2rem;
      }
      .markdown h3 {
        font-size: 1.05rem;
      }
      .markdown > :first-child {
        margin-top: 0;
      }
      .markdown pre {
        padding: 0.6rem 0.8rem;
        background: var(--sy-bg);
        border-radius: var(--sy-radius);
        overflow: auto;
      }
      .markdown code {
        font: 0.85em ui-monospace, SFMono-Regular, Menlo, monospace;
      }
      .markdown :not(pre) > code {
        padding: 0.1em 0.3em;
        background: var(--sy-bg);
        border-radius: 4px;
      }
      .markdown blockquote {
        margin: 0.5em 0;
        padding-left: 1em;
        border-left: 3px solid var(--sy-border);
        color: var(--sy-muted);
      }
      .markdown table {
        border-collapse: collapse;
      }
      .markdown :is(th, td) {
        border: 1px solid var(--sy-border);
        padding: 0.25em 0.6em;
      }
      .markdown a {
        color: var(--sy-accent);
      }
      .markdown .raw-html,
      .markdown .link-removed {
        color: var(--sy-muted);
      }
      .markdown .raw-html {
        font: 0.8125rem ui-monospace, SFMono-Regular, Menlo, monospace;
        white-space: pre-wrap;
      }
      .markdown .image-placeholder {
        font-size: 0.875rem;
      }
      .binary {
        display: flex;
        gap: 1rem;
        align-items: center;
        padding: 1.5rem 1rem;
        border: 1px dashed var(--sy-border);
        border-radius: var(--sy-radius);
      }
      artifact-code {
        max-height: var(--artifact-content-height, 60vh);
      }
    `,
  ];

  @property({ attribute: false }) view: ContentView | null = null;
  /** The artifact's whole size in bytes. */
  @property({ type: Number }) size = 0;
  /** The preview is cut (at MonitorLimits.maxPreviewBytes). */
  @property({ type: Boolean }) truncated = false;
  /** What the content is, for screen readers. */
  @property() label = 'Artifact content';

  /** Markdown as its source, not rendered. */
  @state() private source = false;
  private safeHtml = '';

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('view')) return;
    this.source = false;
    this.safeHtml = this.view?.kind === 'markdown' ? markdownToSafeHtml(this.view.text, DOMPurify) : '';
  }

  protected override render() {
    const view = this.view;
    if (view === null) return null;
    return html`${this.truncated ? this.renderTruncated() : null}${this.renderView(view)}`;
  }

  private renderTruncated() {
    return html`<p class="notice" role="note" data-testid="artifact-truncated">
      Showing the beginning only: the artifact is ${formatBytes(this.size)}, longer than a preview.
      <button @click=${this.requestDownload}>Download all</button>
    </p>`;
  }

  private renderView(view: ContentView) {
    switch (view.kind) {
      case 'markdown':
        return html`<div class="bar" role="group" aria-label="Show Markdown as">
            <button aria-pressed=${String(!this.source)} data-testid="markdown-rendered"
              @click=${() => (this.source = false)}>Rendered</button>
            <button aria-pressed=${String(this.source)} data-testid="markdown-source"
              @click=${() => (this.source = true)}>Source</button>
          </div>
          ${
            this.source
              ? html`<artifact-code .text=${view.text} .language=${'markdown'} label=${this.label}></artifact-code>`
              : html`<div class="markdown" role="document" tabindex="0" aria-label=${this.label}
                  data-testid="artifact-markdown">${unsafeHTML(this.safeHtml)}</div>`
          }`;
      case 'code':
        return html`<artifact-code .text=${view.text} .language=${view.language} label=${this.label}></artifact-code>`;
      case 'text':
        return html`<pre class="text" tabindex="0" aria-label=${this.label} data-testid="artifact-text">${view.text}</pre>`;
      case 'binary':
        return html`<div class="binary" data-testid="artifact-binary">
          <span>Binary, ${this.size.toLocaleString('en')} bytes: no preview.</span>
          <button class="primary" @click=${this.requestDownload}>Download</button>
        </div>`;
    }
  }

  private requestDownload(): void {
    this.dispatchEvent(new CustomEvent('artifact-download', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'artifact-content': ArtifactContent;
  }
}
