// The Harmony Board's keyboard shortcuts as one table: the key handling (board-keyboard.ts) matches keys
// against it and the help overlay (<board-help>) and the context menu print it, so they cannot drift.

/** Something a person can do on the board, by key, by context menu or by button. */
export type BoardAction =
  | 'focus-next'
  | 'focus-previous'
  | 'focus-left'
  | 'focus-right'
  | 'focus-up'
  | 'focus-down'
  | 'select-focused'
  | 'toggle-focused'
  | 'move-left'
  | 'move-right'
  | 'move-up'
  | 'move-down'
  | 'move-left-far'
  | 'move-right-far'
  | 'move-up-far'
  | 'move-down-far'
  | 'select-all'
  | 'clear-selection'
  | 'delete'
  | 'duplicate'
  | 'connect'
  | 'undo'
  | 'redo'
  | 'zoom-in'
  | 'zoom-out'
  | 'fit'
  | 'menu'
  | 'minimap'
  | 'help'
  // While connecting by keyboard (after C):
  | 'link-next-target'
  | 'link-previous-target'
  | 'link-next-port'
  | 'link-previous-port'
  | 'link-confirm'
  | 'link-cancel';

/** One key with its modifiers: `mod` is Ctrl, or ⌘ on a Mac; `shift` undefined means either. */
export interface KeyChord {
  /** `KeyboardEvent.key`; letters compare case-insensitively. */
  readonly key: string;
  readonly mod?: boolean;
  readonly shift?: boolean;
  readonly alt?: boolean;
}

/** When a shortcut applies: on the board, or while an edge is being connected by keyboard. */
export type ShortcutMode = 'board' | 'connect';

/** One row of the table: an action, the keys that do it, and what the help overlay says. */
export interface BoardShortcut {
  readonly action: BoardAction;
  readonly mode: ShortcutMode;
  readonly group: string;
  readonly label: string;
  readonly chords: readonly KeyChord[];
  /** Printed in the help instead of every chord (the four arrows as "Arrow keys"). */
  readonly keysText?: string;
  /** Rows folded into the one before them in the help (the four arrows are one row). */
  readonly hidden?: boolean;
}

const arrows = (action: (d: 'left' | 'right' | 'up' | 'down') => BoardAction, chord: Omit<KeyChord, 'key'>) =>
  (['left', 'right', 'up', 'down'] as const).map((d) => ({
    action: action(d),
    chord: { key: `Arrow${d[0].toUpperCase()}${d.slice(1)}`, ...chord },
  }));

function arrowRows(
  base: Omit<BoardShortcut, 'action' | 'chords'>,
  action: (d: 'left' | 'right' | 'up' | 'down') => BoardAction,
  chord: Omit<KeyChord, 'key'>,
): BoardShortcut[] {
  return arrows(action, chord).map(({ action: a, chord: c }, i) => ({
    ...base,
    action: a,
    chords: [c],
    hidden: i > 0,
  }));
}

/** Every shortcut of the board, in the order the help overlay lists them. */
export const BOARD_SHORTCUTS: readonly BoardShortcut[] = [
  {
    action: 'focus-next',
    mode: 'board',
    group: 'Select',
    label: 'Focus the next node',
    chords: [{ key: 'Tab', shift: false }],
  },
  {
    action: 'focus-previous',
    mode: 'board',
    group: 'Select',
    label: 'Focus the previous node',
    chords: [{ key: 'Tab', shift: true }],
  },
  ...arrowRows(
    {
      mode: 'board',
      group: 'Select',
      label: 'Focus the nearest node in that direction',
      keysText: 'Alt+Arrow keys',
    },
    (d) => `focus-${d}`,
    { alt: true },
  ),
  {
    action: 'select-focused',
    mode: 'board',
    group: 'Select',
    label: 'Select the focused node',
    chords: [
      { key: 'Enter', shift: false },
      { key: ' ', shift: false },
    ],
  },
  {
    action: 'toggle-focused',
    mode: 'board',
    group: 'Select',
    label: 'Add the focused node to the selection, or take it out',
    chords: [
      { key: 'Enter', shift: true },
      { key: ' ', shift: true },
    ],
  },
  {
    action: 'select-all',
    mode: 'board',
    group: 'Select',
    label: 'Select every node',
    chords: [{ key: 'a', mod: true }],
  },
  {
    action: 'clear-selection',
    mode: 'board',
    group: 'Select',
    label: 'Clear the selection',
    chords: [{ key: 'Escape' }],
  },
  ...arrowRows(
    { mode: 'board', group: 'Edit', label: 'Move the selection', keysText: 'Arrow keys' },
    (d) => `move-${d}`,
    { shift: false },
  ),
  ...arrowRows(
    { mode: 'board', group: 'Edit', label: 'Move the selection further', keysText: 'Shift+Arrow keys' },
    (d) => `move-${d}-far`,
    { shift: true },
  ),
  {
    action: 'connect',
    mode: 'board',
    group: 'Edit',
    label: 'Connect from the focused or selected node',
    chords: [{ key: 'c' }],
  },
  {
    action: 'duplicate',
    mode: 'board',
    group: 'Edit',
    label: 'Duplicate the selection',
    chords: [{ key: 'd', mod: true }],
  },
  {
    action: 'delete',
    mode: 'board',
    group: 'Edit',
    label: 'Delete the selection',
    chords: [{ key: 'Delete' }, { key: 'Backspace' }],
  },
  {
    action: 'undo',
    mode: 'board',
    group: 'Edit',
    label: 'Undo',
    chords: [{ key: 'z', mod: true, shift: false }],
  },
  {
    action: 'redo',
    mode: 'board',
    group: 'Edit',
    label: 'Redo',
    chords: [
      { key: 'z', mod: true, shift: true },
      { key: 'y', mod: true },
    ],
  },
  {
    action: 'link-next-target',
    mode: 'connect',
    group: 'While connecting',
    label: 'Next input to connect to',
    chords: [{ key: 'Tab', shift: false }, { key: 'ArrowRight' }],
  },
  {
    action: 'link-previous-target',
    mode: 'connect',
    group: 'While connecting',
    label: 'Previous input',
    chords: [{ key: 'Tab', shift: true }, { key: 'ArrowLeft' }],
  },
  {
    action: 'link-next-port',
    mode: 'connect',
    group: 'While connecting',
    label: 'Next output of the source node',
    chords: [{ key: 'ArrowDown' }],
  },
  {
    action: 'link-previous-port',
    mode: 'connect',
    group: 'While connecting',
    label: 'Previous output of the source node',
    chords: [{ key: 'ArrowUp' }],
  },
  {
    action: 'link-confirm',
    mode: 'connect',
    group: 'While connecting',
    label: 'Connect',
    chords: [{ key: 'Enter' }, { key: ' ' }],
  },
  {
    action: 'link-cancel',
    mode: 'connect',
    group: 'While connecting',
    label: 'Cancel',
    chords: [{ key: 'Escape' }],
  },
  { action: 'zoom-in', mode: 'board', group: 'View', label: 'Zoom in', chords: [{ key: '+' }, { key: '=' }] },
  { action: 'zoom-out', mode: 'board', group: 'View', label: 'Zoom out', chords: [{ key: '-' }] },
  { action: 'fit', mode: 'board', group: 'View', label: 'Show the whole workflow', chords: [{ key: '0' }] },
  {
    action: 'minimap',
    mode: 'board',
    group: 'View',
    label: 'Show or hide the minimap',
    chords: [{ key: 'm' }],
  },
  {
    action: 'menu',
    mode: 'board',
    group: 'View',
    label: 'Open the menu of the selection',
    chords: [{ key: 'F10', shift: true }, { key: 'ContextMenu' }],
  },
  { action: 'help', mode: 'board', group: 'View', label: 'Show these shortcuts', chords: [{ key: '?' }] },
];

/** A key as the board's key handler sees it. */
export interface KeyPress {
  readonly key: string;
  readonly mod: boolean;
  readonly shift: boolean;
  readonly alt?: boolean;
}

/** The action `press` does in `mode`, from {@link BOARD_SHORTCUTS}; null when it does none. */
export function matchShortcut(press: KeyPress, mode: ShortcutMode): BoardAction | null {
  for (const s of BOARD_SHORTCUTS) {
    if (s.mode === mode && s.chords.some((c) => chordMatches(c, press))) return s.action;
  }
  return null;
}

/** How a chord is written for people: "Ctrl+Shift+Z", "Space", "↑". */
export function chordText(chord: KeyChord, mac = false): string {
  const names: Record<string, string> = {
    ' ': 'Space',
    ArrowLeft: '←',
    ArrowRight: '→',
    ArrowUp: '↑',
    ArrowDown: '↓',
    Escape: 'Esc',
    ContextMenu: 'Menu key',
  };
  const key = names[chord.key] ?? (chord.key.length === 1 ? chord.key.toUpperCase() : chord.key);
  const parts = [
    chord.mod ? (mac ? '⌘' : 'Ctrl') : '',
    chord.alt ? 'Alt' : '',
    chord.shift ? 'Shift' : '',
    key,
  ];
  return parts.filter((p) => p !== '').join('+');
}

/** The keys of `action` as the help and the menu print them ("Delete or Backspace"). */
export function shortcutText(action: BoardAction, mac = false): string {
  const s = BOARD_SHORTCUTS.find((x) => x.action === action);
  if (!s) return '';
  return s.keysText ?? s.chords.map((c) => chordText(c, mac)).join(' or ');
}

function chordMatches(chord: KeyChord, press: KeyPress): boolean {
  const key = chord.key.length === 1 ? press.key.toLowerCase() === chord.key : press.key === chord.key;
  if (!key || (chord.mod ?? false) !== press.mod || (chord.alt ?? false) !== (press.alt ?? false))
    return false;
  // '?' and '+' need Shift on most layouts: a printable symbol matches whatever Shift was.
  if (chord.shift === undefined || (chord.key.length === 1 && !/[a-z0-9 ]/.test(chord.key))) return true;
  return chord.shift === press.shift;
}
