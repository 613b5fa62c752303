// <artifact-diff>: the versions of a named artifact, and a unified diff between any two of them.
import type { ArtifactVersion } from '@symphony/schemas';
import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { shortHash, type TextDiff, textDiff } from '../core/artifact-view.js';
import { monitorErrorText } from '../core/monitor-error-text.js';
import type { MonitorApi } from '../monitor/monitor-api.js';
import { sharedStyles } from '../styles/shared.js';

/** 4,000: rows a diff draws at most; the rest is counted, not drawn (a page of diff is enough to read). */
const MAX_DRAWN_ROWS = 4000;

/** A version's text for the diff, or why there is none. */
type VersionText = { readonly text: string } | { readonly binary: true };

/**
 * The versions of each name the artifact goes by (pick the name when it has several), each one a
 * click away, and a unified diff between any two: removed lines `−` on red, added `+` on green, with
 * their line numbers, long unchanged stretches folded.
 *
 * @fires artifact-open - `detail.hash`: open this version in the inspector.
 */
@customElement('artifact-diff')
export class ArtifactDiff extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 0.75rem;
        min-width: 0;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      select {
        font: inherit;
        padding: 0.3em 0.4em;
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        background: var(--sy-surface);
        max-width: 100%;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem;
      }
      ol button {
        font-size: 0.8125rem;
        padding: 0.25em 0.6em;
      }
      ol button[aria-current='true'] {
        border-color: var(--sy-accent);
        font-weight: 600;
      }
      .summary {
        margin: 0;
        font-size: 0.875rem;
      }
      .plus {
        color: var(--sy-ok);
        font-weight: 600;
      }
      .minus {
        color: var(--sy-danger);
        font-weight: 600;
      }
      .scroll {
        overflow: auto;
        max-height: var(--artifact-content-height, 60vh);
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
      }
      table {
        border-collapse: collapse;
        width: 100%;
        font: 0.8125rem/1.45 ui-monospace, SFMono-Regular, Menlo, monospace;
      }
      caption {
        text-align: left;
      }
      td {
        padding: 0 0.5rem;
        vertical-align: top;
      }
      td.ln {
        width: 1%;
        text-align: right;
        color: var(--sy-muted);
        user-select: none;
        white-space: nowrap;
      }
      td.mark {
        width: 1%;
        user-select: none;
        font-weight: 700;
      }
      td.code {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      tr.added {
        background: color-mix(in srgb, var(--sy-ok) 14%, transparent);
      }
      tr.added td.mark {
        color: var(--sy-ok);
      }
      tr.removed {
        background: color-mix(in srgb, var(--sy-danger) 12%, transparent);
      }
      tr.removed td.mark {
        color: var(--sy-danger);
      }
      tr.skip td {
        background: var(--sy-bg);
        color: var(--sy-muted);
        font-family: system-ui, sans-serif;
        padding: 0.15rem 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) api: MonitorApi | undefined;
  /** The names (and versions) the open artifact is. */
  @property({ attribute: false }) names: readonly ArtifactVersion[] = [];
  /** The open artifact's hash. */
  @property() hash = '';

  @state() private name = '';
  @state() private versions: readonly ArtifactVersion[] | null = null;
  @state() private from = '';
  @state() private to = '';
  @state() private diff: TextDiff | null | 'binary' | 'loading' = 'loading';
  @state() private error: string | null = null;
  private readonly texts = new Map<string, Promise<VersionText>>();

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('names') && !this.names.some((n) => n.name === this.name)) {
      this.name = this.names[0]?.name ?? '';
      this.versions = null;
    }
    // Loading here, before render, so the first state changes of a load join this update.
    if (changed.has('name') || (changed.has('api') && changed.get('api') === undefined))
      void this.loadVersions();
    else if (changed.has('hash') && this.versions !== null) this.pickDefaultPair();
    if (changed.has('from') || changed.has('to')) void this.loadDiff();
  }

  protected override render() {
    if (this.names.length === 0)
      return html`<p class="muted">This artifact has no name, so it has no versions.</p>`;
    return html`${this.names.length > 1 ? this.renderNamePicker() : null}
      ${this.error === null ? null : html`<p class="error" role="alert">${this.error}</p>`}
      ${this.versions === null ? html`<p class="muted" role="status">Loading versions…</p>` : this.renderVersions(this.versions)}`;
  }

  private renderNamePicker() {
    return html`<div class="row">
      <label for="name">Name</label>
      <select id="name" @change=${(e: Event) => (this.name = (e.target as HTMLSelectElement).value)}>
        ${this.names.map((n) => html`<option value=${n.name} ?selected=${n.name === this.name}>${n.name}</option>`)}
      </select>
    </div>`;
  }

  private renderVersions(versions: readonly ArtifactVersion[]) {
    const label = (v: ArtifactVersion) => `v${v.version} · ${new Date(v.created).toLocaleString()}`;
    return html`<div class="row">
        <span class="muted">Versions of <strong>${this.name}</strong>:</span>
        <ol data-testid="artifact-versions">
          ${versions.map(
            (
              v,
            ) => html`<li><button aria-current=${String(v.hash === this.hash)} title=${`${label(v)} · ${shortHash(v.hash)}`}
              data-testid="artifact-version" @click=${() => this.open(v.hash)}>v${v.version}</button></li>`,
          )}
        </ol>
      </div>
      ${
        versions.length < 2
          ? html`<p class="muted">Only one version: nothing to compare yet.</p>`
          : html`<div class="row">
              <label for="from">Compare</label>
              <select id="from" data-testid="diff-from" @change=${(e: Event) => (this.from = (e.target as HTMLSelectElement).value)}>
                ${versions.map((v) => html`<option value=${v.hash} ?selected=${v.hash === this.from}>${label(v)}</option>`)}
              </select>
              <label for="to">with</label>
              <select id="to" data-testid="diff-to" @change=${(e: Event) => (this.to = (e.target as HTMLSelectElement).value)}>
                ${versions.map((v) => html`<option value=${v.hash} ?selected=${v.hash === this.to}>${label(v)}</option>`)}
              </select>
            </div>
            ${this.renderDiff(versions)}`
      }`;
  }

  private renderDiff(versions: readonly ArtifactVersion[]) {
    const diff = this.diff;
    if (diff === 'loading') return html`<p class="muted" role="status">Comparing…</p>`;
    if (diff === 'binary')
      return html`<p class="muted">One of these versions is binary: there are no lines to compare.</p>`;
    if (diff === null)
      return html`<p class="muted">These versions differ too much for a line-by-line diff to help.</p>`;
    const v = (hash: string) => `v${versions.find((x) => x.hash === hash)?.version ?? '?'}`;
    if (diff.added === 0 && diff.removed === 0)
      return html`<p class="summary" role="status" data-testid="diff-summary">${v(this.from)} and ${v(this.to)} are the same text.</p>`;
    const drawn = diff.rows.slice(0, MAX_DRAWN_ROWS);
    return html`<p class="summary" role="status" data-testid="diff-summary">
        From ${v(this.from)} to ${v(this.to)}: <span class="plus">+${diff.added}</span> added,
        <span class="minus">−${diff.removed}</span> removed lines.</p>
      <div class="scroll" tabindex="0" aria-label=${`Changes from ${v(this.from)} to ${v(this.to)}`}>
        <table data-testid="artifact-diff">
          <caption class="visually-hidden">Changes from ${v(this.from)} to ${v(this.to)}</caption>
          ${drawn.map((row) =>
            row.kind === 'skip'
              ? html`<tr class="skip"><td colspan="4">⋯ ${row.lines} unchanged ${row.lines === 1 ? 'line' : 'lines'}</td></tr>`
              : html`<tr class=${row.kind} data-kind=${row.kind}>
                  <td class="ln">${row.oldLine ?? ''}</td><td class="ln">${row.newLine ?? ''}</td>
                  <td class="mark">${MARKS[row.kind]}<span class="visually-hidden">${SPOKEN[row.kind]}</span></td>
                  <td class="code">${row.text}</td></tr>`,
          )}
        </table>
      </div>
      ${
        diff.rows.length > drawn.length
          ? html`<p class="muted">${diff.rows.length - drawn.length} more rows are not shown.</p>`
          : null
      }`;
  }

  private async loadVersions(): Promise<void> {
    const { api, name } = this;
    if (api === undefined || name === '') return;
    this.error = null;
    try {
      const { versions } = await api.versions(name);
      if (name !== this.name) return;
      this.versions = versions;
      this.pickDefaultPair();
    } catch (error) {
      if (name === this.name) this.error = monitorErrorText(error);
    }
  }

  /** The open version against the one before it (or the first two when it is the first). */
  private pickDefaultPair(): void {
    const versions = this.versions ?? [];
    if (versions.length < 2) return;
    const at = Math.max(
      1,
      versions.findIndex((v) => v.hash === this.hash),
    );
    this.from = versions[at - 1]!.hash;
    this.to = versions[at]!.hash;
  }

  private async loadDiff(): Promise<void> {
    const { from, to } = this;
    if (from === '' || to === '') return;
    this.diff = 'loading';
    try {
      const [before, after] = await Promise.all([this.textOf(from), this.textOf(to)]);
      if (from !== this.from || to !== this.to) return;
      this.diff = 'binary' in before || 'binary' in after ? 'binary' : textDiff(before.text, after.text);
    } catch (error) {
      if (from !== this.from || to !== this.to) return;
      this.diff = null;
      this.error = monitorErrorText(error);
    }
  }

  /** A version's whole text: the preview, or the raw bytes when the preview is cut. */
  private textOf(hash: string): Promise<VersionText> {
    let text = this.texts.get(hash);
    if (text === undefined) {
      text = this.fetchText(hash);
      text.catch(() => this.texts.delete(hash));
      this.texts.set(hash, text);
    }
    return text;
  }

  private async fetchText(hash: string): Promise<VersionText> {
    const api = this.api!;
    const { preview } = await api.artifact(hash);
    if (preview.kind === 'binary' || preview.text === undefined) return { binary: true };
    if (!preview.truncated) return { text: preview.text };
    return { text: new TextDecoder().decode(await api.artifactBytes(hash)) };
  }

  private open(hash: string): void {
    this.dispatchEvent(new CustomEvent('artifact-open', { detail: { hash }, bubbles: true, composed: true }));
  }
}

const MARKS = { added: '+', removed: '−', context: ' ' } as const;
const SPOKEN = { added: 'added', removed: 'removed', context: '' } as const;

declare global {
  interface HTMLElementTagNameMap {
    'artifact-diff': ArtifactDiff;
  }
}
