// <find-panel>: find and replace in the open Document through the editor engine (regex, case, whole
// word, match count; each replace one undoable engine transaction).
import type { FindMatch } from '@symphony/schemas';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { describeEngineError, type EngineBuffer, type FindParams } from '../engine/engine-connection.js';
import { matchAtOrAfter, matchCountLabel, stepMatch } from '../engine/find-logic.js';
import { sharedStyles } from '../styles/shared.js';

/** Where the panel moves the editor's selection, and where a search starts. */
export interface FindTarget {
  readonly selection: { from: number; to: number; head: number };
  select(from: number, to?: number): void;
  focus(): void;
  /**
   * Undoes the person's last action in the editor's own history, which holds the replacements
   * too: the panel's Undo and Ctrl+Z are one history, so neither can undo under the other.
   */
  undo(): boolean;
}

/** Matches the panel asks the engine for (the count says "1,000+" beyond). */
const FIND_LIMIT = 1_000;
/** Pause after typing before searching. */
const SEARCH_DELAY_MS = 120;

/**
 * Find and replace in the open document, through the editor engine: the query with regex, match
 * case and whole word, the match count, next/previous (moving the editor's selection), replace and
 * replace all (one engine transaction each, so collaborators see them and one undo reverts them).
 * An invalid regular expression is shown under the field. Viewers can find, not replace.
 *
 * @fires find-close - `CustomEvent<void>` when the person closes the panel (Esc or ×).
 */
@customElement('find-panel')
export class FindPanel extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        border-bottom: 1px solid var(--sy-border);
        background: var(--sy-surface);
        padding: 0.45rem 1rem;
        font-size: 0.875rem;
      }
      .row {
        display: flex;
        align-items: center;
        gap: 0.4rem;
        flex-wrap: wrap;
      }
      .row + .row {
        margin-top: 0.35rem;
      }
      input[type='text'] {
        flex: 1 1 14rem;
        min-width: min(10rem, 100%);
        max-width: 28rem;
        padding: 0.3em 0.5em;
        font-size: 0.875rem;
      }
      input[aria-invalid='true'] {
        border-color: #c62828;
      }
      .option {
        font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
        min-width: 2.1rem;
        padding: 0.25em 0.45em;
      }
      .option[aria-pressed='true'] {
        background: var(--sy-accent);
        border-color: var(--sy-accent);
        color: #fff;
      }
      .count {
        min-width: 6.5rem;
        color: var(--sy-muted);
        font-variant-numeric: tabular-nums;
      }
      .error {
        color: #b71c1c;
        margin: 0.3rem 0 0;
      }
      .status {
        color: var(--sy-muted);
      }
      .close {
        margin-left: auto;
      }
      .toggle {
        padding: 0.25em 0.5em;
      }
    `,
  ];

  /** The document in the engine (null while it opens). */
  @property({ attribute: false }) buffer: EngineBuffer | null = null;
  /** The editor whose selection the panel moves. */
  @property({ attribute: false }) target: FindTarget | null = null;
  /** A viewer's panel: find only. */
  @property({ type: Boolean, attribute: 'read-only' }) readOnly = false;
  /** Shows the replace row. */
  @property({ type: Boolean, attribute: 'show-replace' }) showReplace = false;
  /** Why the engine could not open the document, if it could not. */
  @property({ attribute: false }) openError: string | null = null;

  @state() private query = '';
  @state() private replacement = '';
  @state() private regex = false;
  @state() private caseSensitive = false;
  @state() private wholeWord = false;
  @state() private found: readonly FindMatch[] = [];
  @state() private truncated = false;
  @state() private current = -1;
  @state() private error: string | null = null;
  @state() private status = '';
  @state() private busy = false;
  @state() private canUndo = false;

  @query('#find-query') private queryInput!: HTMLInputElement;
  @query('#find-replacement') private replacementInput!: HTMLInputElement | null;

  /** Where the search began (the selection when the panel opened), for the first match. */
  private origin = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private searchSeq = 0;
  private stopUpdates: (() => void) | null = null;

  /** Focuses the query (or the replacement) and selects its text; seeds it with the selection. */
  async focusQuery(seed?: string, field: 'query' | 'replacement' = 'query'): Promise<void> {
    if (
      seed !== undefined &&
      seed !== '' &&
      !seed.includes('\n') &&
      seed.length <= 200 &&
      seed !== this.query
    ) {
      this.query = seed;
      this.search({ keepCurrent: false });
    }
    this.origin = this.target?.selection.from ?? 0;
    await this.updateComplete;
    const input = field === 'replacement' && this.replacementInput ? this.replacementInput : this.queryInput;
    input?.focus();
    input?.select();
  }

  /** Selects the next match (wrapping). */
  findNext(): void {
    this.step(1);
  }

  /** Selects the previous match (wrapping). */
  findPrevious(): void {
    this.step(-1);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('buffer')) {
      this.stopUpdates?.();
      this.stopUpdates = null;
      this.canUndo = false;
      if (this.buffer !== null) {
        // Someone's edit (or ours) moved the matches: search again, keeping the place.
        this.stopUpdates = this.buffer.onUpdate(() => this.schedule(true));
        if (this.query !== '') this.search({ keepCurrent: true });
      }
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
    this.stopUpdates?.();
    this.stopUpdates = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.buffer !== null && this.stopUpdates === null)
      this.stopUpdates = this.buffer.onUpdate(() => this.schedule(true));
  }

  private params(): FindParams {
    return {
      query: this.query,
      regex: this.regex,
      caseSensitive: this.caseSensitive,
      wholeWord: this.wholeWord,
    };
  }

  private schedule(keepCurrent: boolean): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.search({ keepCurrent }), SEARCH_DELAY_MS);
  }

  private async search({ keepCurrent }: { keepCurrent: boolean }): Promise<void> {
    clearTimeout(this.timer);
    const seq = ++this.searchSeq;
    const buffer = this.buffer;
    if (this.query === '' || buffer === null) {
      this.found = [];
      this.truncated = false;
      this.current = -1;
      this.error = null;
      return;
    }
    try {
      const result = await buffer.find({ ...this.params(), limit: FIND_LIMIT });
      if (seq !== this.searchSeq) return;
      const previous = this.found[this.current];
      this.found = result.matches;
      this.truncated = result.truncated;
      this.error = null;
      if (keepCurrent && previous !== undefined) {
        // Stay on the match at (or after) the one shown, without moving the selection.
        this.current = matchAtOrAfter(result.matches, previous.from);
      } else {
        this.current = matchAtOrAfter(result.matches, this.origin);
        this.reveal();
      }
    } catch (error) {
      if (seq !== this.searchSeq) return;
      this.found = [];
      this.truncated = false;
      this.current = -1;
      this.error = describeEngineError(error);
    }
  }

  private reveal(): void {
    const match = this.found[this.current];
    if (match !== undefined) this.target?.select(match.from, match.to);
  }

  private step(direction: 1 | -1): void {
    if (this.found.length === 0) return;
    if (this.current < 0) {
      const head = this.target?.selection.head ?? 0;
      const after = matchAtOrAfter(this.found, head);
      this.current = direction === 1 ? after : stepMatch(this.found.length, after, -1);
    } else this.current = stepMatch(this.found.length, this.current, direction);
    this.origin = this.found[this.current]?.from ?? this.origin;
    this.reveal();
  }

  private async replaceOne(): Promise<void> {
    const buffer = this.buffer;
    const match = this.found[this.current] ?? this.found[0];
    if (buffer === null || match === undefined || this.readOnly) return;
    await this.replacing(async () => {
      const result = await buffer.replace({
        ...this.params(),
        replacement: this.replacement,
        at: match.from,
      });
      if (result.replaced === null) {
        this.status = 'Nothing to replace';
        return;
      }
      this.canUndo = true;
      this.status = 'Replaced 1';
      // Go on from just after the replacement.
      this.origin = result.replaced.to;
      this.current = -1;
      await this.search({ keepCurrent: false });
    });
  }

  private async replaceAll(): Promise<void> {
    const buffer = this.buffer;
    if (buffer === null || this.query === '' || this.readOnly) return;
    await this.replacing(async () => {
      const result = await buffer.replaceAll({ ...this.params(), replacement: this.replacement });
      this.status =
        result.count === 0 ? 'Nothing to replace' : `Replaced ${result.count.toLocaleString('en')}`;
      this.canUndo = result.count > 0;
      this.current = -1;
      await this.search({ keepCurrent: false });
    });
  }

  /** Runs a replace with the panel busy, showing the engine's error if it fails. */
  private async replacing(run: () => Promise<void>): Promise<void> {
    this.busy = true;
    try {
      await run();
    } catch (error) {
      this.error = describeEngineError(error);
    } finally {
      this.busy = false;
    }
  }

  private undo(): void {
    const changed = this.target?.undo() ?? false;
    this.status = changed ? 'Undone' : 'Nothing to undo';
    this.canUndo = false;
  }

  private onQueryKeydown(e: KeyboardEvent): void {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (e.shiftKey) this.findPrevious();
      else this.findNext();
    } else this.onCommonKeydown(e);
  }

  private onReplacementKeydown(e: KeyboardEvent): void {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (e.ctrlKey || e.metaKey || e.altKey) void this.replaceAll();
      else void this.replaceOne();
    } else this.onCommonKeydown(e);
  }

  private onCommonKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      // Not the app's "Esc goes home": Esc closes the panel.
      e.preventDefault();
      e.stopPropagation();
      this.close();
    } else if ((e.ctrlKey || e.metaKey) && !e.shiftKey && ['f', 'h'].includes(e.key.toLowerCase())) {
      // Ctrl+F / Ctrl+H in the panel: back to the query (Ctrl+H shows the replace row), not the browser's find.
      e.preventDefault();
      if (e.key.toLowerCase() === 'h' || e.altKey) this.showReplace = true;
      this.queryInput?.focus();
      this.queryInput?.select();
    } else if (e.key === 'F3' || ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'g')) {
      e.preventDefault();
      if (e.shiftKey) this.findPrevious();
      else this.findNext();
    }
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('find-close', { bubbles: true, composed: true }));
  }

  private toggle(option: 'regex' | 'caseSensitive' | 'wholeWord'): void {
    this[option] = !this[option];
    this.current = -1;
    void this.search({ keepCurrent: false });
  }

  protected override render() {
    const count = this.query === '' ? '' : matchCountLabel(this.found.length, this.current, this.truncated);
    const noMatches = this.found.length === 0;
    const replaceDisabled = this.readOnly || this.buffer === null || this.busy;
    return html`
      <div class="row" role="search" aria-label="Find in document">
        <button
          class="ghost toggle"
          aria-label=${this.showReplace ? 'Hide replace' : 'Show replace'}
          aria-expanded=${this.showReplace ? 'true' : 'false'}
          @click=${() => {
            this.showReplace = !this.showReplace;
          }}
        >${this.showReplace ? '▾' : '▸'}</button>
        <label class="visually-hidden" for="find-query">Find</label>
        <input
          id="find-query"
          type="text"
          placeholder="Find"
          autocomplete="off"
          spellcheck="false"
          data-testid="find-query"
          .value=${this.query}
          aria-invalid=${this.error === null ? 'false' : 'true'}
          aria-describedby="find-error find-count"
          @input=${(e: Event) => {
            this.query = (e.target as HTMLInputElement).value;
            this.status = '';
            this.current = -1;
            this.schedule(false);
          }}
          @keydown=${this.onQueryKeydown}
        />
        ${this.optionButton('regex', '.*', 'Regular expression', 'find-regex')}
        ${this.optionButton('caseSensitive', 'Aa', 'Match case', 'find-case')}
        ${this.optionButton('wholeWord', 'W', 'Whole word', 'find-word')}
        <span class="count" id="find-count" role="status" data-testid="find-count">${count}</span>
        <button
          class="ghost"
          @click=${this.findPrevious}
          ?disabled=${noMatches}
          aria-label="Previous match"
          title="Previous match (Shift+Enter)"
          data-testid="find-previous"
        >↑</button>
        <button
          class="ghost"
          @click=${this.findNext}
          ?disabled=${noMatches}
          aria-label="Next match"
          title="Next match (Enter)"
          data-testid="find-next"
        >↓</button>
        <button class="ghost close" @click=${this.close} aria-label="Close find" title="Close (Esc)">×</button>
      </div>
      ${
        this.showReplace
          ? html`<div class="row">
            <span class="toggle" aria-hidden="true" style="visibility:hidden">▸</span>
            <label class="visually-hidden" for="find-replacement">Replace with</label>
            <input
              id="find-replacement"
              type="text"
              placeholder=${this.readOnly ? 'Viewers cannot replace' : 'Replace'}
              autocomplete="off"
              spellcheck="false"
              data-testid="find-replacement"
              .value=${this.replacement}
              ?disabled=${this.readOnly}
              @input=${(e: Event) => {
                this.replacement = (e.target as HTMLInputElement).value;
              }}
              @keydown=${this.onReplacementKeydown}
            />
            <button
              @click=${this.replaceOne}
              ?disabled=${replaceDisabled || noMatches}
              data-testid="replace-one"
              title="Replace this match (Enter)"
            >Replace</button>
            <button
              @click=${this.replaceAll}
              ?disabled=${replaceDisabled || noMatches}
              data-testid="replace-all"
              title="Replace every match, as one change (Ctrl+Enter)"
            >Replace all</button>
            ${
              this.canUndo && !this.readOnly
                ? html`<button class="ghost" @click=${this.undo} data-testid="replace-undo">Undo</button>`
                : nothing
            }
            <span class="status" role="status" data-testid="replace-status">${this.status}</span>
          </div>`
          : nothing
      }
      ${
        this.error !== null
          ? html`<p class="error" id="find-error" role="alert" data-testid="find-error">${this.error}</p>`
          : this.openError !== null
            ? html`<p class="error" role="alert" data-testid="find-error">
              Search is unavailable: ${this.openError}
            </p>`
            : nothing
      }
    `;
  }

  private optionButton(
    option: 'regex' | 'caseSensitive' | 'wholeWord',
    label: string,
    name: string,
    testId: string,
  ) {
    return html`<button
      class="option"
      aria-pressed=${this[option] ? 'true' : 'false'}
      aria-label=${name}
      title=${name}
      data-testid=${testId}
      @click=${() => this.toggle(option)}
    >${label}</button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'find-panel': FindPanel;
  }
  interface HTMLElementEventMap {
    'find-close': CustomEvent<void>;
  }
}
