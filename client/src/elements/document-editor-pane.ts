// <document-editor-pane>: a Document's text with the editor engine's tools: the Markdown editor, find
// and replace above it and the outline beside it.
import type { KeyBinding } from '@codemirror/view';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { PopoverController } from '../controllers/popover-controller.js';
import { describeEngineError, type EngineBuffer, engineConnection } from '../engine/engine-connection.js';
import { takePendingReveal } from '../engine/pending-reveal.js';
import { sharedStyles } from '../styles/shared.js';
import './find-panel.js';
import type { FindPanel } from './find-panel.js';
import './markdown-editor.js';
import type { MarkdownEditor } from './markdown-editor.js';
import './outline-panel.js';

/** `localStorage` key remembering whether the outline is shown. */
const OUTLINE_KEY = 'symphony:outline';

/**
 * The document's text with the editor engine's tools: the Markdown editor, the find & replace
 * panel above it (Ctrl+F, Ctrl+H) and the outline beside it (toggled). The document is opened in
 * the engine (a Web Worker sharing this page's Y.Doc) only while the panel or the outline is shown.
 */
@customElement('document-editor-pane')
export class DocumentEditorPane extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
      }
      .tools {
        display: flex;
        flex-wrap: wrap;
        justify-content: flex-end;
        gap: 0.35rem;
        padding: 0.25rem 1rem;
        border-bottom: 1px solid var(--sy-border);
        background: var(--sy-surface);
        font-size: 0.8125rem;
      }
      .tools button {
        padding: 0.2em 0.7em;
        font-size: 0.8125rem;
      }
      .tools button[aria-pressed='true'] {
        background: var(--sy-hover);
        border-color: var(--sy-accent);
      }
      .row {
        flex: 1;
        display: flex;
        min-height: 0;
      }
      markdown-editor {
        flex: 1;
        min-width: 0;
        overflow: auto;
      }
      outline-panel {
        flex: 0 0 15rem;
        max-width: 40%;
      }
      kbd {
        font-size: 0.75em;
        color: var(--sy-muted);
      }
    `,
  ];

  /** The document's Y.Doc (the text is its `content`). */
  @property({ attribute: false }) doc: Y.Doc | null = null;
  /** The document's id (the engine shares buffers by it). */
  @property({ attribute: false }) documentId: string | null = null;
  @property({ attribute: false }) awareness: Awareness | null = null;
  @property({ type: Boolean, attribute: 'read-only' }) readOnly = false;
  @property() label = 'Document text';

  @state() private findOpen = false;
  /** Esc in the text closes the find panel before it leaves the document; so does a page change. */
  private readonly findPopover = new PopoverController(this, {
    isOpen: () => this.findOpen,
    close: (reason) => {
      if (reason === 'dismiss') this.closeFind();
      else this.findOpen = false;
    },
  });
  @state() private showReplace = false;
  @state() private outlineOpen = storedOutline();
  @state() private buffer: EngineBuffer | null = null;
  @state() private engineError: string | null = null;

  @query('markdown-editor') private editor!: MarkdownEditor | null;
  @query('find-panel') private findPanel!: FindPanel | null;

  /** The buffer's document and doc, to know when to reopen. */
  private bufferFor: { doc: Y.Doc; documentId: string } | null = null;
  private openSeq = 0;

  /** Keys the editor hands to the find panel before CodeMirror's own search keys. */
  private readonly keys: readonly KeyBinding[] = [
    { key: 'Mod-f', run: () => this.openFind(false), preventDefault: true },
    { key: 'Mod-h', run: () => this.openFind(true), preventDefault: true },
    { key: 'Mod-Alt-f', run: () => this.openFind(true), preventDefault: true },
    {
      key: 'Mod-g',
      run: () => this.step(1),
      shift: () => this.step(-1),
      preventDefault: true,
    },
    { key: 'F3', run: () => this.step(1), shift: () => this.step(-1), preventDefault: true },
  ];

  /** Moves keyboard focus into the text. */
  override focus(): void {
    const editor = this.editor;
    if (editor?.hasUpdated) editor.focus();
    else
      void this.updateComplete.then(async () => {
        await this.editor?.updateComplete;
        this.editor?.focus();
      });
  }

  /** The editor inside (for the document view's focus handling). */
  get markdownEditor(): MarkdownEditor | null {
    return this.editor;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('doc') || changed.has('documentId')) this.revealPending();
    this.syncBuffer();
    if (changed.has('readOnly') && this.documentId !== null && this.buffer !== null)
      engineConnection().setRole(this.documentId, this.readOnly ? 'viewer' : 'editor');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.syncBuffer();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.closeBuffer();
  }

  /** Opens the engine's buffer while a tool needs it; closes it when none does. */
  private syncBuffer(): void {
    const wanted =
      this.isConnected && (this.findOpen || this.outlineOpen) && this.doc !== null && this.documentId !== null
        ? { doc: this.doc, documentId: this.documentId }
        : null;
    if (wanted?.doc === this.bufferFor?.doc && wanted?.documentId === this.bufferFor?.documentId) return;
    this.closeBuffer();
    if (wanted === null) return;
    this.bufferFor = wanted;
    const seq = ++this.openSeq;
    let connection: ReturnType<typeof engineConnection>;
    try {
      connection = engineConnection();
    } catch (error) {
      this.engineError = describeEngineError(error);
      return;
    }
    connection.open(wanted.documentId, wanted.doc, { role: this.readOnly ? 'viewer' : 'editor' }).then(
      (buffer) => {
        if (seq !== this.openSeq) {
          buffer.close();
          return;
        }
        this.buffer = buffer;
        this.engineError = null;
      },
      (error: unknown) => {
        if (seq === this.openSeq) this.engineError = describeEngineError(error);
      },
    );
  }

  private closeBuffer(): void {
    this.openSeq++;
    this.buffer?.close();
    this.buffer = null;
    this.bufferFor = null;
  }

  /** A match picked in the workspace search: select it once the editor shows the text. */
  private revealPending(): void {
    if (this.documentId === null || this.doc === null) return;
    const reveal = takePendingReveal(this.documentId);
    if (reveal === undefined) return;
    void this.updateComplete.then(async () => {
      await this.editor?.updateComplete;
      this.editor?.select(reveal.from, reveal.to);
    });
  }

  private openFind(replace: boolean): boolean {
    const selection = this.editor?.selection;
    const seed =
      selection !== undefined && selection.to > selection.from
        ? this.editor?.value.slice(selection.from, selection.to)
        : undefined;
    this.findOpen = true;
    if (replace) this.showReplace = true;
    void this.updateComplete.then(() =>
      this.findPanel?.focusQuery(seed, replace && seed !== undefined ? 'replacement' : 'query'),
    );
    return true;
  }

  private step(direction: 1 | -1): boolean {
    if (!this.findOpen) return this.openFind(false);
    if (direction === 1) this.findPanel?.findNext();
    else this.findPanel?.findPrevious();
    return true;
  }

  private closeFind(): void {
    this.findOpen = false;
    this.editor?.focus();
  }

  private toggleOutline(): void {
    this.outlineOpen = !this.outlineOpen;
    try {
      localStorage.setItem(OUTLINE_KEY, this.outlineOpen ? '1' : '0');
    } catch {
      // Remembering is a nicety.
    }
  }

  protected override render() {
    const text = this.doc?.getText('content') ?? null;
    return html`
      <div class="tools">
        <button
          class="ghost"
          aria-pressed=${this.findOpen ? 'true' : 'false'}
          aria-keyshortcuts="Control+F"
          title="Find and replace (Ctrl+F, Ctrl+H)"
          data-testid="find-toggle"
          @click=${() => (this.findOpen ? this.closeFind() : this.openFind(false))}
        >Find <kbd>Ctrl F</kbd></button>
        <button
          class="ghost"
          aria-pressed=${this.outlineOpen ? 'true' : 'false'}
          title="Show the document's headings beside the text"
          data-testid="outline-toggle"
          @click=${this.toggleOutline}
        >Outline</button>
      </div>
      ${
        this.findOpen
          ? html`<find-panel
            data-testid="find-panel"
            .buffer=${this.buffer}
            .target=${this.editor}
            .openError=${this.engineError}
            ?read-only=${this.readOnly}
            ?show-replace=${this.showReplace}
            @find-close=${() => this.findPopover.close('dismiss')}
          ></find-panel>`
          : nothing
      }
      <div class="row">
        <markdown-editor
          data-testid="editor"
          .text=${text}
          .awareness=${this.awareness}
          .keyBindings=${this.keys}
          ?read-only=${this.readOnly}
          label=${this.label}
        ></markdown-editor>
        ${
          this.outlineOpen
            ? html`<outline-panel
              .buffer=${this.buffer}
              .openError=${this.engineError}
              @outline-jump=${(e: CustomEvent<{ from: number }>) => {
                this.editor?.select(e.detail.from);
                this.editor?.focus();
              }}
            ></outline-panel>`
            : nothing
        }
      </div>
    `;
  }
}

function storedOutline(): boolean {
  try {
    return localStorage.getItem(OUTLINE_KEY) === '1';
  } catch {
    return false;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'document-editor-pane': DocumentEditorPane;
  }
}
