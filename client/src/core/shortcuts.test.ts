// Tests of what a key does in the app (appShortcut: Esc closes the innermost popover before it leaves a
// page, Ctrl+K is the editor's inside it) and of the stack of open popovers.
import { describe, expect, it } from 'vitest';
import {
  type AppShortcut,
  appShortcut,
  type KeyPress,
  type Popover,
  type PopoverCloseReason,
  PopoverStack,
  type ShortcutContext,
} from './shortcuts.js';

const onDocument: ShortcutContext = {
  page: 'document',
  typing: false,
  inEditor: false,
  inModal: false,
  popoverOpen: false,
};

function press(key: string, modifiers: Partial<KeyPress> = {}): KeyPress {
  const code = key.length === 1 ? `Key${key.toUpperCase()}` : key;
  return { key, code, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...modifiers };
}

function decide(key: KeyPress, context: Partial<ShortcutContext> = {}): AppShortcut {
  return appShortcut(key, { ...onDocument, ...context });
}

describe('appShortcut', () => {
  it('Esc closes an open popover first and leaves the page only when none is open', () => {
    expect(decide(press('Escape'), { popoverOpen: true })).toBe('close-popover');
    expect(decide(press('Escape'), { popoverOpen: true, inEditor: true, typing: true })).toBe(
      'close-popover',
    );
    expect(decide(press('Escape'))).toBe('leave');
    expect(decide(press('Escape'), { page: 'workflow' })).toBe('leave');
    expect(decide(press('Escape'), { page: 'home' })).toBeNull();
    expect(decide(press('Escape'), { page: 'home', popoverOpen: true })).toBe('close-popover');
  });

  it('leaves keys in a modal dialog to the dialog', () => {
    expect(decide(press('Escape'), { inModal: true, popoverOpen: true })).toBeNull();
    expect(decide(press('k', { ctrlKey: true }), { inModal: true })).toBeNull();
    expect(decide(press('n', { altKey: true }), { inModal: true })).toBeNull();
  });

  it('Ctrl/Cmd+K is the editor’s link inside the editor and search everywhere else', () => {
    expect(decide(press('k', { ctrlKey: true }), { inEditor: true, typing: true })).toBeNull();
    expect(decide(press('k', { metaKey: true }), { inEditor: true, typing: true })).toBeNull();
    expect(decide(press('k', { ctrlKey: true }))).toBe('search');
    expect(decide(press('K', { ctrlKey: true }), { typing: true })).toBe('search');
    expect(decide(press('k', { metaKey: true }), { page: 'home' })).toBe('search');
    // Ctrl+Shift+K and Ctrl+Alt+K are someone else's (the editor deletes a line).
    expect(decide(press('K', { ctrlKey: true, shiftKey: true }))).toBeNull();
    expect(decide(press('k', { ctrlKey: true, altKey: true }))).toBeNull();
  });

  it('/ searches only when not typing; Alt+N creates a document by key position', () => {
    expect(decide(press('/'))).toBe('search');
    expect(decide(press('/'), { typing: true })).toBeNull();
    expect(decide(press('/', { ctrlKey: true }))).toBeNull();
    // On a Mac, Option+N types "˜" but is still the N key.
    expect(decide({ ...press('˜', { altKey: true }), code: 'KeyN' })).toBe('new-document');
    expect(decide(press('n', { altKey: true, ctrlKey: true }))).toBeNull();
  });

  it('leaves the editor’s formatting keys and ordinary typing alone', () => {
    for (const key of ['b', 'i', 'e'])
      expect(decide(press(key, { ctrlKey: true }), { inEditor: true, typing: true })).toBeNull();
    expect(decide(press('a'), { inEditor: true, typing: true })).toBeNull();
    expect(decide(press('Escape', { ctrlKey: true }))).toBeNull();
  });
});

/** A popover that records how it was closed. */
function popover(name: string, closed: string[]): Popover {
  return { close: (reason: PopoverCloseReason) => closed.push(`${name}:${reason}`) };
}

describe('PopoverStack', () => {
  it('closes the innermost (most recently opened) popover first, one at a time', () => {
    const closed: string[] = [];
    const stack = new PopoverStack();
    const outbox = popover('outbox', closed);
    const profile = popover('profile', closed);
    stack.add(outbox);
    stack.add(profile);
    expect(stack.size).toBe(2);
    expect(stack.closeInnermost()).toBe(true);
    expect(closed).toEqual(['profile:dismiss']);
    expect(stack.innermost).toBe(outbox);
    expect(stack.closeInnermost()).toBe(true);
    expect(stack.closeInnermost()).toBe(false);
    expect(closed).toEqual(['profile:dismiss', 'outbox:dismiss']);
  });

  it('forgets a popover that closed itself, and moves one opened again innermost', () => {
    const closed: string[] = [];
    const stack = new PopoverStack();
    const a = popover('a', closed);
    const b = popover('b', closed);
    stack.add(a);
    stack.add(b);
    stack.remove(b);
    stack.remove(b);
    expect(stack.innermost).toBe(a);
    stack.add(b);
    stack.add(a);
    expect(stack.size).toBe(2);
    expect(stack.innermost).toBe(a);
    expect(closed).toEqual([]);
  });

  it('closes every popover on a page change, innermost first', () => {
    const closed: string[] = [];
    const stack = new PopoverStack();
    stack.add(popover('find', closed));
    stack.add(popover('outbox', closed));
    stack.closeAll();
    expect(closed).toEqual(['outbox:navigation', 'find:navigation']);
    expect(stack.size).toBe(0);
  });
});
