// Tests of PersonUndo: the person's typing and their engine's edits share one history, and a
// collaborator's edits are never undone.
import { DOCUMENT_PORT_ORIGIN } from '@symphony/editor-engine';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { PersonUndo } from './person-undo.js';

/** The page's document and the engine's replica of it, kept in step as the document port does. */
function pageAndEngine() {
  const page = new Y.Doc();
  const engine = new Y.Doc();
  page.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== DOCUMENT_PORT_ORIGIN) Y.applyUpdate(engine, update, DOCUMENT_PORT_ORIGIN);
  });
  engine.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== DOCUMENT_PORT_ORIGIN) Y.applyUpdate(page, update, DOCUMENT_PORT_ORIGIN);
  });
  return { page: page.getText('content'), engine: engine.getText('content') };
}

/** What the engine's replace all does: one transaction replacing every match. */
function replaceAll(text: Y.Text, find: string, by: string): void {
  text.doc!.transact(() => {
    for (
      let at = text.toString().lastIndexOf(find);
      at >= 0;
      at = text.toString().lastIndexOf(find, at - 1)
    ) {
      text.delete(at, find.length);
      text.insert(at, by);
      if (at === 0) break;
    }
  }, 'engine caller');
}

describe('PersonUndo', () => {
  it('undoes a replace all made by the engine, then the typing, and redoes both', () => {
    const { page, engine } = pageAndEngine();
    const undo = new PersonUndo(page);
    page.insert(0, 'one beta two beta three');
    replaceAll(engine, 'beta', 'X');
    expect(page.toString()).toBe('one X two X three');

    expect(undo.undo()).toBe(true);
    expect(page.toString()).toBe('one beta two beta three');
    expect(engine.toString()).toBe('one beta two beta three');
    expect(undo.redo()).toBe(true);
    expect(page.toString()).toBe('one X two X three');
    expect(undo.undo()).toBe(true);
    expect(undo.undo()).toBe(true);
    expect(page.toString()).toBe('');
    expect(undo.undo()).toBe(false);
    undo.destroy();
  });

  it('keeps typing right after the engine edit as its own step', () => {
    const { page, engine } = pageAndEngine();
    const undo = new PersonUndo(page);
    page.insert(0, 'a beta');
    replaceAll(engine, 'beta', 'X');
    page.insert(page.length, '!');
    expect(page.toString()).toBe('a X!');
    undo.undo();
    expect(page.toString()).toBe('a X');
    undo.undo();
    expect(page.toString()).toBe('a beta');
    undo.destroy();
  });

  it("never undoes a collaborator's edit", () => {
    const { page } = pageAndEngine();
    const other = new Y.Doc();
    const undo = new PersonUndo(page);
    page.insert(0, 'mine ');
    Y.applyUpdate(other, Y.encodeStateAsUpdate(page.doc!));
    other.getText('content').insert(5, 'theirs');
    Y.applyUpdate(page.doc!, Y.encodeStateAsUpdate(other), 'provider');
    expect(page.toString()).toBe('mine theirs');
    undo.undo();
    expect(page.toString()).toBe('theirs');
    expect(undo.undo()).toBe(false);
    undo.destroy();
  });
});
