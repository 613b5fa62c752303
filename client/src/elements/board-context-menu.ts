// <board-context-menu>: the Harmony Board's right-click (and Shift+F10) menu: a role=menu of the
// actions for a node, an edge or the board, each with its shortcut; arrows, Enter and Escape work.
import type { NodeId, Position } from '@symphony/schemas';
import { css, html, LitElement } from 'lit';
import { customElement, property, queryAll } from 'lit/decorators.js';
import type { BoardContext, BoardHit } from '../core/board-gestures.js';
import { type BoardMenuItem, boardMenuItems, nodeTitle } from '../core/board-keyboard.js';
import type { BoardAction } from '../core/board-shortcuts.js';
import { sharedStyles } from '../styles/shared.js';

/** Detail of `menu-pick`: the action chosen, and the node the menu is for (if any). */
export interface MenuPick {
  readonly action: BoardAction;
  readonly subject: NodeId | null;
}

/**
 * The menu of board actions for `target` (from {@link boardMenuItems}) at `at` (CSS pixels in the
 * board), kept inside `bounds`. Takes the focus
 * on its first entry when it opens; Up/Down/Home/End move, Enter or Space choose, Escape or Tab
 * close it (without the page acting on the Escape).
 *
 * @fires menu-pick - `CustomEvent<MenuPick>`, then `menu-close`.
 * @fires menu-close - the menu is to close (chosen, Escape, Tab, or a press elsewhere).
 */
@customElement('board-context-menu')
export class BoardContextMenu extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        position: absolute;
        z-index: 5;
      }
      [role='menu'] {
        min-width: 13rem;
        padding: 4px;
        background: var(--sy-surface);
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        box-shadow: var(--sy-shadow);
        display: flex;
        flex-direction: column;
      }
      button {
        display: flex;
        justify-content: space-between;
        gap: 1.5rem;
        border: none;
        background: none;
        text-align: left;
        padding: 0.35rem 0.6rem;
        border-radius: 5px;
        font-size: 0.8125rem;
      }
      button:hover:not([aria-disabled='true']),
      button:focus-visible {
        background: var(--sy-hover);
        outline: 2px solid var(--sy-accent);
        outline-offset: -2px;
      }
      button[aria-disabled='true'] {
        color: var(--sy-muted);
        opacity: 0.6;
        cursor: default;
      }
      .keys {
        color: var(--sy-muted);
        font-size: 0.75rem;
      }
    `,
  ];

  /** What the menu is for: a node, an edge, or empty board. */
  @property({ attribute: false }) target: BoardHit = { kind: 'empty' };
  /** The board as it stands (which entries apply). */
  @property({ attribute: false }) context: BoardContext | null = null;
  /** ⌘ instead of Ctrl in the shortcuts. */
  @property({ type: Boolean }) mac = false;
  /** Where it opens, in CSS pixels from the board's top-left corner. */
  @property({ attribute: false }) at: Position = { x: 0, y: 0 };
  /** The board's size: the menu stays inside it. */
  @property({ attribute: false }) bounds: { width: number; height: number } = { width: 0, height: 0 };

  @queryAll('button') private entries!: NodeListOf<HTMLButtonElement>;

  private readonly onOutside = (e: PointerEvent): void => {
    if (!e.composedPath().includes(this)) this.close();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    // Capture phase: a press anywhere else closes the menu before it acts.
    window.addEventListener('pointerdown', this.onOutside, true);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('pointerdown', this.onOutside, true);
    super.disconnectedCallback();
  }

  protected override firstUpdated(): void {
    this.entries[this.enabled()[0] ?? 0]?.focus();
  }

  protected override updated(): void {
    // Keep the menu inside the board.
    const { width, height } = this.bounds;
    const x = Math.max(4, Math.min(this.at.x, width - this.offsetWidth - 4));
    const y = Math.max(4, Math.min(this.at.y, height - this.offsetHeight - 4));
    this.style.left = `${x}px`;
    this.style.top = `${y}px`;
  }

  /** The entries, in order. */
  private get items(): BoardMenuItem[] {
    return this.context === null ? [] : boardMenuItems(this.target, this.context, this.mac);
  }

  /** The node the menu is for, if any. */
  private get node(): NodeId | null {
    const t = this.target;
    return t.kind === 'node' || t.kind === 'port' ? t.node : null;
  }

  protected override render() {
    const wf = this.context?.workflow ?? null;
    const node = this.node;
    const subject =
      node !== null && wf !== null ? nodeTitle(wf, node) : this.target.kind === 'edge' ? 'Edge' : 'Board';
    return html`<div role="menu" aria-label=${`Actions: ${subject}`} data-testid="board-menu" @keydown=${this.onKeydown}>
      ${this.items.map(
        (
          item,
        ) => html`<button role="menuitem" tabindex="-1" data-action=${item.action} data-testid="board-menu-item"
          aria-disabled=${item.disabled ? 'true' : 'false'} aria-keyshortcuts=${item.keys}
          @click=${() => this.pick(item)}>
          <span>${item.label}</span><span class="keys" aria-hidden="true">${item.keys}</span>
        </button>`,
      )}
    </div>`;
  }

  private pick(item: BoardMenuItem): void {
    if (item.disabled) return;
    const detail = { action: item.action, subject: this.node };
    this.dispatchEvent(new CustomEvent<MenuPick>('menu-pick', { detail }));
    this.close();
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('menu-close'));
  }

  /** Indexes of the entries that can be chosen. */
  private enabled(): number[] {
    return this.items.flatMap((item, i) => (item.disabled ? [] : [i]));
  }

  private onKeydown(e: KeyboardEvent): void {
    // The board and the page never see keys meant for the menu.
    e.stopPropagation();
    const list = this.enabled();
    const current = [...this.entries].indexOf(this.shadowRoot?.activeElement as HTMLButtonElement);
    const at = list.indexOf(current);
    const focus = (i: number | undefined) => {
      if (i !== undefined) this.entries[i]?.focus();
    };
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        focus(list[(at + 1) % list.length]);
        return;
      case 'ArrowUp':
        e.preventDefault();
        focus(list[(at - 1 + list.length) % list.length]);
        return;
      case 'Home':
        e.preventDefault();
        focus(list[0]);
        return;
      case 'End':
        e.preventDefault();
        focus(list.at(-1));
        return;
      case 'Escape':
      case 'Tab':
        e.preventDefault();
        this.close();
        return;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'board-context-menu': BoardContextMenu;
  }
}
