// The behaviour every DocumentSource adapter promises, as one vitest suite each adapter's test file
// runs with a fixture for its far side (a sync-server, a page over a MessagePort, this process).
import { type DocumentId, EngineErrorCode, type Role } from '@symphony/schemas';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import type { DocumentBinding, DocumentSource, OpenOptions } from './DocumentSource.js';
import { EngineError, type EngineErrorName } from './errors.js';
import { TEXT_NAME } from './TextBuffer.js';

/** An open the far side refuses, and the error `open` must reject with. */
export interface DocumentSourceRefusal {
  /** What is refused, for the test's name, e.g. `a token that is not one`. */
  readonly what: string;
  readonly options: OpenOptions;
  readonly error: EngineErrorName;
}

/** An adapter under test and the far side it gets its documents from. */
export interface DocumentSourceFixture {
  readonly source: DocumentSource;
  /** Options that open every document {@link createDocument} makes as an `editor`. */
  readonly editor: OpenOptions;
  /** Options that open every document {@link createDocument} makes as a `viewer`. */
  readonly viewer: OpenOptions;
  /**
   * Whether a binding's `doc` is a replica the binding frees on `close` (the WebSocket and port
   * adapters), rather than the far side's own `Y.Doc` (`MemoryDocumentSource`).
   */
  readonly replicas: boolean;
  /**
   * Makes a document on the far side holding `text`, and returns its id and a peer there: a `Y.Doc`
   * the far side keeps in step with the document (a stock client, the page's doc, the source's own).
   */
  createDocument(text: string): Promise<{ documentId: DocumentId; peer: Y.Doc }>;
  /** An id the far side has no document by. */
  readonly unknownDocument: DocumentId;
  /** Opens of a {@link createDocument} document the far side refuses, besides unknown ids. */
  readonly refusals: readonly DocumentSourceRefusal[];
  /**
   * Gives the {@link editor} options another role on a document, as the far side announces it to
   * open bindings; absent where the far side never changes a role.
   */
  changeRole?(documentId: DocumentId, role: Role): void;
  /** Stops the far side and frees what the fixture made. */
  cleanup(): Promise<void>;
}

const textOf = (doc: Y.Doc) => doc.getText(TEXT_NAME).toString();

/** Polls `check` until it passes (5 s). */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 20 });

/** Waits a moment, for the check that something does *not* arrive. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

/**
 * The behaviour every {@link DocumentSource} adapter promises (see the port's JSDoc); each
 * adapter's test file calls this with a factory for a fresh fixture per test.
 */
export function runDocumentSourceTests(
  name: string,
  makeFixture: () => Promise<DocumentSourceFixture>,
): void {
  describe(`DocumentSource: ${name}`, () => {
    let fixture: DocumentSourceFixture;
    let opened: DocumentBinding[];
    /** Opens through the source under test; whatever is still open is closed after the test. */
    const open = async (documentId: DocumentId, options: OpenOptions) => {
      const binding = await fixture.source.open(documentId, options);
      opened.push(binding);
      return binding;
    };
    const close = (binding: DocumentBinding) => {
      opened.splice(opened.indexOf(binding), 1);
      binding.close();
    };

    beforeEach(async () => {
      fixture = await makeFixture();
      opened = [];
    });
    afterEach(async () => {
      for (const binding of opened.splice(0)) binding.close();
      await fixture.cleanup();
    });

    it('opens a document synced: the replica holds its text, and the status says connected', async () => {
      const { documentId } = await fixture.createDocument('hello');
      const binding = await open(documentId, fixture.editor);
      expect(textOf(binding.doc)).toBe('hello');
      expect(binding.status()).toEqual({ connected: true, role: 'editor' });
    });

    it('reports the role the far side grants', async () => {
      const { documentId } = await fixture.createDocument('read me');
      const binding = await open(documentId, fixture.viewer);
      expect(binding.status().role).toBe('viewer');
      expect(textOf(binding.doc)).toBe('read me');
    });

    it("carries the binding's edits to the far side, and the far side's to the binding", async () => {
      const { documentId, peer } = await fixture.createDocument('hello');
      const binding = await open(documentId, fixture.editor);
      binding.doc.getText(TEXT_NAME).insert(5, ' world');
      await eventually(() => expect(textOf(peer)).toBe('hello world'));
      peer.getText(TEXT_NAME).insert(0, '> ');
      await eventually(() => expect(textOf(binding.doc)).toBe('> hello world'));
    });

    it('keeps two opens of one document following the far side, and one working after the other closes', async () => {
      const { documentId, peer } = await fixture.createDocument('');
      const first = await open(documentId, fixture.editor);
      const second = await open(documentId, fixture.viewer);
      peer.getText(TEXT_NAME).insert(0, 'one');
      await eventually(() => expect([textOf(first.doc), textOf(second.doc)]).toEqual(['one', 'one']));
      close(second);
      first.doc.getText(TEXT_NAME).insert(3, ' two');
      await eventually(() => expect(textOf(peer)).toBe('one two'));
      peer.getText(TEXT_NAME).insert(0, '> ');
      await eventually(() => expect(textOf(first.doc)).toBe('> one two'));
    });

    it("carries one open's edits to another open of the same document", async () => {
      const { documentId, peer } = await fixture.createDocument('');
      const first = await open(documentId, fixture.editor);
      const second = await open(documentId, fixture.editor);
      first.doc.getText(TEXT_NAME).insert(0, 'from first');
      await eventually(() =>
        expect([textOf(second.doc), textOf(peer)]).toEqual(['from first', 'from first']),
      );
      second.doc.getText(TEXT_NAME).insert(0, '> ');
      await eventually(() =>
        expect([textOf(first.doc), textOf(peer)]).toEqual(['> from first', '> from first']),
      );
    });

    it('shares a key between opens of one document with the same credentials, and only then', async () => {
      const [{ documentId: a }, { documentId: b }] = await Promise.all([
        fixture.createDocument('a'),
        fixture.createDocument('b'),
      ]);
      const key = fixture.source.shareKey(a, fixture.editor);
      expect(fixture.source.shareKey(a, { ...fixture.editor })).toBe(key);
      expect(fixture.source.shareKey(b, fixture.editor)).not.toBe(key);
      expect(fixture.source.shareKey(a, fixture.viewer)).not.toBe(key);
    });

    it('leaves the document on the far side when a binding closes, and reopens it with its edits', async () => {
      const { documentId, peer } = await fixture.createDocument('kept');
      const binding = await open(documentId, fixture.editor);
      binding.doc.getText(TEXT_NAME).insert(4, ' after close');
      await eventually(() => expect(textOf(peer)).toBe('kept after close'));
      close(binding);
      if (fixture.replicas) {
        // A freed replica hears nothing more from the far side.
        peer.getText(TEXT_NAME).insert(0, '!');
        await settle();
        expect(textOf(binding.doc)).toBe('kept after close');
      }
      const again = await open(documentId, fixture.editor);
      expect(textOf(again.doc)).toBe(textOf(peer));
    });

    it('rejects an unknown document with UnknownDocument', async () => {
      const error = await fixture.source.open(fixture.unknownDocument, fixture.editor).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EngineError);
      expect(error).toMatchObject({ code: EngineErrorCode.UnknownDocument });
    });

    it('rejects every refused open with its error', async () => {
      const { documentId } = await fixture.createDocument('private');
      for (const refusal of fixture.refusals) {
        const error = await fixture.source.open(documentId, refusal.options).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, refusal.what).toBeInstanceOf(EngineError);
        expect(error, refusal.what).toMatchObject({ code: EngineErrorCode[refusal.error] });
      }
    });

    it('reports a role change live to its listeners, until they stop listening', async (context) => {
      const changeRole = fixture.changeRole?.bind(fixture);
      if (!changeRole) return context.skip();
      const { documentId } = await fixture.createDocument('text');
      const binding = await open(documentId, fixture.editor);
      const heard: Role[] = [];
      const stop = binding.onStatus((status) => heard.push(status.role));
      changeRole(documentId, 'viewer');
      await eventually(() => expect(binding.status().role).toBe('viewer'));
      expect(heard).toEqual(['viewer']);
      stop();
      changeRole(documentId, 'editor');
      await eventually(() => expect(binding.status().role).toBe('editor'));
      expect(heard).toEqual(['viewer']);
    });

    it('reports the state the far side has stored, where it says so', async (context) => {
      const { documentId } = await fixture.createDocument('');
      const binding = await open(documentId, fixture.editor);
      if (!binding.savedState) return context.skip();
      binding.doc.getText(TEXT_NAME).insert(0, 'stored');
      const clock = Y.getState(binding.doc.store, binding.doc.clientID);
      await eventually(() => {
        const saved = binding.savedState?.();
        expect(saved).toBeDefined();
        expect(Y.decodeStateVector(saved as Uint8Array).get(binding.doc.clientID)).toBe(clock);
      });
    });

    it('tells its savedState listeners each stored state, until they stop listening', async (context) => {
      const { documentId } = await fixture.createDocument('');
      const binding = await open(documentId, fixture.editor);
      if (!binding.onSavedState) return context.skip();
      const heard: number[] = [];
      const stop = binding.onSavedState((saved) => {
        heard.push(Y.decodeStateVector(saved).get(binding.doc.clientID) ?? 0);
      });
      binding.doc.getText(TEXT_NAME).insert(0, 'stored');
      const clock = Y.getState(binding.doc.store, binding.doc.clientID);
      await eventually(() => expect(heard).toContain(clock));
      stop();
      const before = heard.length;
      binding.doc.getText(TEXT_NAME).insert(0, 'more ');
      const next = Y.getState(binding.doc.store, binding.doc.clientID);
      await eventually(() =>
        expect(
          Y.decodeStateVector(binding.savedState?.() ?? new Uint8Array([0])).get(binding.doc.clientID),
        ).toBe(next),
      );
      expect(heard).toHaveLength(before);
    });
  });
}
