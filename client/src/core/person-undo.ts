// One undo history per person and document: their typing and the edits the editor engine made on
// their behalf (replace, replace all), so Ctrl+Z always undoes the person's last action.
import { DOCUMENT_PORT_ORIGIN } from '@symphony/editor-engine';
import * as Y from 'yjs';

/**
 * A `Y.UndoManager` over `text` that tracks this person's own changes: local transactions (origin
 * `null`, and whatever origin the editor binding adds with `addTrackedOrigin`) and the updates their
 * editor engine applies through the document port ({@link DOCUMENT_PORT_ORIGIN}). Collaborators'
 * changes arrive with their provider as origin and are never undone.
 *
 * Without the port origin, Ctrl+Z after "Replace all" undid the typing underneath the replacement
 * and kept the replacement: "one beta two beta three" became "XX". Each engine edit is its own
 * undo step, never merged with the typing just before or after it.
 */
export class PersonUndo {
  readonly undoManager: Y.UndoManager;
  readonly #doc: Y.Doc | null;

  constructor(text: Y.Text) {
    this.undoManager = new Y.UndoManager(text, { trackedOrigins: new Set([null, DOCUMENT_PORT_ORIGIN]) });
    this.#doc = text.doc;
    // Before: the engine's edit does not join the typing before it. After (this handler runs after
    // the undo manager's own, registered first): the typing after it does not join the engine's.
    this.#doc?.on('beforeTransaction', this.#separate);
    this.#doc?.on('afterTransaction', this.#separate);
  }

  /** Undoes the person's last action; whether there was one. */
  undo(): boolean {
    return this.undoManager.undo() !== null;
  }

  /** Redoes the last undone action; whether there was one. */
  redo(): boolean {
    return this.undoManager.redo() !== null;
  }

  /** Stops tracking (the editor is rebuilt or gone). */
  destroy(): void {
    this.#doc?.off('beforeTransaction', this.#separate);
    this.#doc?.off('afterTransaction', this.#separate);
    this.undoManager.destroy();
  }

  readonly #separate = (transaction: Y.Transaction): void => {
    if (transaction.origin === DOCUMENT_PORT_ORIGIN) this.undoManager.stopCapturing();
  };
}
