// <artifact-code>: an artifact's text in a read-only CodeMirror view, highlighted in its language,
// with line numbers and folding (JSON objects and arrays, code blocks).
import { foldGutter, foldKeymap, type LanguageSupport } from '@codemirror/language';
import { EditorState, type Extension } from '@codemirror/state';
import { keymap, lineNumbers } from '@codemirror/view';
import { EditorView, minimalSetup } from 'codemirror';
import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { CodeLanguage } from '../core/artifact-view.js';

/** Loads the language support for `language` (each package is loaded on first use). */
async function languageSupport(language: CodeLanguage): Promise<LanguageSupport> {
  switch (language) {
    case 'json':
      return (await import('@codemirror/lang-json')).json();
    case 'javascript':
      return (await import('@codemirror/lang-javascript')).javascript({ jsx: true });
    case 'typescript':
      return (await import('@codemirror/lang-javascript')).javascript({ typescript: true, jsx: true });
    case 'python':
      return (await import('@codemirror/lang-python')).python();
    case 'markdown':
      return (await import('@codemirror/lang-markdown')).markdown();
  }
}

const viewerTheme = EditorView.theme({
  '&': { fontSize: '0.8125rem', backgroundColor: 'var(--sy-surface)', maxHeight: '100%' },
  '&.cm-focused': { outline: '2px solid var(--sy-accent)', outlineOffset: '-2px' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', lineHeight: '1.5' },
  '.cm-gutters': {
    backgroundColor: 'var(--sy-bg)',
    color: 'var(--sy-muted)',
    borderRight: '1px solid var(--sy-border)',
  },
  '.cm-foldGutter span': { padding: '0 0.25rem', cursor: 'pointer' },
});

/**
 * `text` read-only in CodeMirror: highlighted when `language` is set, line numbers, a fold gutter
 * and the fold keys (Ctrl-Shift-[ and ], Ctrl-Alt-[ and ] for all). It can take focus, so the
 * keyboard scrolls, selects and folds it.
 */
@customElement('artifact-code')
export class ArtifactCode extends LitElement {
  static override styles = css`
    :host {
      display: block;
      min-height: 0;
    }
    .host {
      height: 100%;
      max-height: inherit;
      overflow: hidden;
      border: 1px solid var(--sy-border);
      border-radius: var(--sy-radius);
    }
    .cm-editor {
      height: 100%;
      max-height: inherit;
    }
  `;

  @property({ attribute: false }) text = '';
  @property({ attribute: false }) language: CodeLanguage | null = null;
  /** What the content is, for screen readers (`Content of notes.md`). */
  @property() label = 'Artifact content';

  @query('.host') private host!: HTMLDivElement;
  private view: EditorView | null = null;
  /** Bumped on every rebuild, so a language that loads late does not replace a newer text. */
  private generation = 0;

  protected override render() {
    return html`<div class="host" data-testid="artifact-code"></div>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('text') || changed.has('language') || changed.has('label')) void this.rebuild();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.view?.destroy();
    this.view = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Reconnected after a move: build the view again.
    if (this.hasUpdated && this.view === null) void this.rebuild();
  }

  private async rebuild(): Promise<void> {
    const generation = ++this.generation;
    const language = this.language === null ? null : await languageSupport(this.language).catch(() => null);
    if (generation !== this.generation || !this.isConnected) return;
    const extensions: Extension[] = [
      minimalSetup,
      lineNumbers(),
      foldGutter(),
      keymap.of(foldKeymap),
      EditorState.readOnly.of(true),
      EditorView.contentAttributes.of({ 'aria-label': this.label, 'aria-readonly': 'true' }),
      viewerTheme,
      ...(language === null ? [] : [language]),
    ];
    const state = EditorState.create({ doc: this.text, extensions });
    if (this.view === null) {
      this.view = new EditorView({ state, parent: this.host, root: this.shadowRoot ?? document });
    } else {
      this.view.setState(state);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'artifact-code': ArtifactCode;
  }
}
