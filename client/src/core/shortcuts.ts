// What a key press does in the app (appShortcut): Esc closes the innermost popover before it leaves a
// page, the editor's own keys win inside the editor; the open popovers (PopoverStack); the editor's keys.
import type { InlineFormat } from './markdown-format.js';
import type { Route } from './route.js';

/** What the app does with a key press; `null` leaves it to whoever else handles it. */
export type AppShortcut =
  /** Close the innermost open popover (and nothing else). */
  | 'close-popover'
  /** Leave the document or workflow for the workspace home. */
  | 'leave'
  /** Go to the workspace home's search. */
  | 'search'
  /** Create an untitled document and open it. */
  | 'new-document'
  | null;

/** The parts of a `KeyboardEvent` a shortcut depends on. */
export interface KeyPress {
  readonly key: string;
  readonly code: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
  readonly shiftKey: boolean;
}

/** Where the key was pressed. */
export interface ShortcutContext {
  /** The page shown. */
  readonly page: Route['name'];
  /** Focus is in a text field (an input, a text area, or editable text such as the editor). */
  readonly typing: boolean;
  /** Focus is in the document's editable text: the editor's own keys (Ctrl+K, Ctrl+B…) win there. */
  readonly inEditor: boolean;
  /** Focus is in a modal dialog: it handles its own keys (Esc closes it) and the page's keys wait. */
  readonly inModal: boolean;
  /** At least one popover (Outbox, profile, find panel…) is open. */
  readonly popoverOpen: boolean;
}

/**
 * Decides what the app does with a key press nobody handled yet (the editor and the popovers see
 * keys first and claim theirs). Esc closes the innermost popover first and leaves the page only
 * when none is open; Ctrl/Cmd+K is the editor's "link" inside the editor and "search" elsewhere;
 * `/` searches when not typing; Alt+N creates a document.
 */
export function appShortcut(key: KeyPress, context: ShortcutContext): AppShortcut {
  if (context.inModal) return null;
  const mod = key.ctrlKey || key.metaKey;
  if (key.key === 'Escape' && !mod && !key.altKey) {
    if (context.popoverOpen) return 'close-popover';
    return context.page === 'home' ? null : 'leave';
  }
  if (mod && !key.altKey && !key.shiftKey && key.key.toLowerCase() === 'k')
    return context.inEditor ? null : 'search';
  if (key.altKey && !mod && key.code === 'KeyN') return 'new-document';
  if (key.key === '/' && !context.typing && !mod && !key.altKey) return 'search';
  return null;
}

/**
 * Why a popover is asked to close: the person dismissed it (Esc, its own Close; focus goes back to
 * what opened it) or the page changed under it (focus is the new page's).
 */
export type PopoverCloseReason = 'dismiss' | 'navigation';

/** Something open over the page that Esc and a page change close. */
export interface Popover {
  close(reason: PopoverCloseReason): void;
}

/**
 * The popovers open now, innermost (most recently opened) last. Elements add theirs when they open
 * and remove it when they close, whoever closed them.
 */
export class PopoverStack {
  private readonly open: Popover[] = [];

  /** How many are open. */
  get size(): number {
    return this.open.length;
  }

  /** The most recently opened one still open. */
  get innermost(): Popover | undefined {
    return this.open.at(-1);
  }

  /** Records `popover` as open (innermost); opening it again moves it innermost. */
  add(popover: Popover): void {
    this.remove(popover);
    this.open.push(popover);
  }

  /** Records `popover` as closed; nothing happens if it was not open. */
  remove(popover: Popover): void {
    const index = this.open.indexOf(popover);
    if (index < 0) return;
    this.open.splice(index, 1);
  }

  /** Closes the innermost popover. Returns whether one was open. */
  closeInnermost(reason: PopoverCloseReason = 'dismiss'): boolean {
    const popover = this.innermost;
    if (popover === undefined) return false;
    this.remove(popover);
    popover.close(reason);
    return true;
  }

  /** Closes every popover, innermost first (the page changed under them). */
  closeAll(reason: PopoverCloseReason = 'navigation'): void {
    while (this.closeInnermost(reason));
  }
}

/**
 * The Markdown editor's formatting keys (CodeMirror key names; `Mod` is Ctrl, or Cmd on a Mac). They
 * run before the app's: inside the editor Ctrl+K makes a link rather than opening search.
 */
export const EDITOR_FORMAT_KEYS: readonly { readonly key: string; readonly action: InlineFormat | 'link' }[] =
  [
    { key: 'Mod-b', action: 'bold' },
    { key: 'Mod-i', action: 'italic' },
    { key: 'Mod-e', action: 'code' },
    { key: 'Mod-k', action: 'link' },
  ];
