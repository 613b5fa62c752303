// Runs the DocumentSource acceptance suite against its three adapters: a real sync-server over
// WebSocket, a page's documents over a MessagePort, and documents in this process.
import { MessageChannel } from 'node:worker_threads';
import type { DocumentId, Role } from '@symphony/schemas';
import {
  type Access,
  type AccessCheck,
  type AccessControl,
  type Denial,
  DenialReason,
  MemoryDocumentPersistence,
  ResourceKind,
  silentLogger,
  startSyncServer,
} from '@symphony/sync-server';
import { vi } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { MemoryDocumentSource, PortDocumentSource, shareDocuments, TEXT_NAME } from '../src/index.js';
import { WebsocketDocumentSource } from '../src/node.js';
import { runDocumentSourceTests } from '../src/testing.js';

const EDITOR = 'editor-token';
const VIEWER = 'viewer-token';
const STRANGER = 'stranger-token';
const unknownDocument = 'no-such-document' as DocumentId;

let documents = 0;
const newDocumentId = () => `doc-${++documents}` as DocumentId;

/** A peer's doc holding `text`. */
function withText(text: string): Y.Doc {
  const doc = new Y.Doc();
  doc.getText(TEXT_NAME).insert(0, text);
  return doc;
}

runDocumentSourceTests('WebsocketDocumentSource, against a real sync-server', async () => {
  const access = new TableAccess();
  const server = await startSyncServer(
    { port: 0 },
    {
      persistence: new MemoryDocumentPersistence(),
      logger: silentLogger,
      access,
      // Role changes reach open connections within a tenth of a second.
      authorization: { authRecheckMs: 100, cacheMs: 0 },
    },
  );
  const url = `${server.url.replace('http', 'ws')}/yjs`;
  const stockClients: WebsocketProvider[] = [];
  /** A stock y-websocket client, as a browser tab would be, synced. */
  const stockClient = async (documentId: DocumentId) => {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(url, documentId, doc, {
      params: { token: EDITOR },
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
    });
    stockClients.push(provider);
    await vi.waitFor(() => {
      if (!provider.synced) throw new Error(`${documentId} not synced yet`);
    });
    return { doc, provider };
  };
  return {
    source: new WebsocketDocumentSource({ url }),
    editor: { token: EDITOR },
    viewer: { token: VIEWER },
    replicas: true,
    async createDocument(text) {
      const documentId = newDocumentId();
      access.roles.set(
        documentId,
        new Map<string, Role>([
          [EDITOR, 'editor'],
          [VIEWER, 'viewer'],
        ]),
      );
      const peer = await stockClient(documentId);
      peer.doc.getText(TEXT_NAME).insert(0, text);
      // Another client sees the text only once the server holds it.
      const check = await stockClient(documentId);
      await vi.waitFor(() => {
        if (check.doc.getText(TEXT_NAME).toString() !== text) throw new Error('not on the server yet');
      });
      check.provider.destroy();
      return { documentId, peer: peer.doc };
    },
    unknownDocument,
    refusals: [
      { what: 'a token that is not one', options: { token: 'garbage' }, error: 'Unauthorized' },
      {
        what: "a token of someone outside the document's workspace",
        options: { token: STRANGER },
        error: 'Forbidden',
      },
    ],
    changeRole(documentId, role) {
      access.roles.get(documentId)?.set(EDITOR, role);
    },
    async cleanup() {
      for (const provider of stockClients) provider.destroy();
      await server.close();
    },
  };
});

runDocumentSourceTests("PortDocumentSource, against a page's documents over a MessagePort", async () => {
  const channel = new MessageChannel();
  const pages = new Map<string, Y.Doc>();
  const editorRoles = new Map<string, Role>();
  const sharing = shareDocuments(channel.port1, (documentId, token) => {
    const doc = pages.get(documentId);
    if (!doc) return undefined;
    return { doc, role: token === VIEWER ? 'viewer' : (editorRoles.get(documentId) ?? 'editor') };
  });
  return {
    source: new PortDocumentSource(channel.port2),
    editor: { token: EDITOR },
    viewer: { token: VIEWER },
    replicas: true,
    async createDocument(text) {
      const documentId = newDocumentId();
      const peer = withText(text);
      pages.set(documentId, peer);
      return { documentId, peer };
    },
    unknownDocument,
    // The page refuses only what it does not have.
    refusals: [],
    changeRole(documentId, role) {
      editorRoles.set(documentId, role);
      sharing.setRole(documentId, role);
    },
    async cleanup() {
      sharing.stop();
      channel.port1.close();
      channel.port2.close();
    },
  };
});

runDocumentSourceTests('MemoryDocumentSource, documents in this process', async () => {
  const known = new Set<string>();
  const source = new MemoryDocumentSource({
    role: (documentId, token) =>
      known.has(documentId) ? (token === VIEWER ? 'viewer' : 'editor') : undefined,
  });
  return {
    source,
    editor: { token: EDITOR },
    viewer: { token: VIEWER },
    replicas: false,
    async createDocument(text) {
      const documentId = newDocumentId();
      known.add(documentId);
      const peer = source.document(documentId);
      peer.getText(TEXT_NAME).insert(0, text);
      return { documentId, peer };
    },
    unknownDocument,
    refusals: [],
    async cleanup() {},
  };
});

/**
 * Who may open what on the test's sync-server, as OFB would answer: a table of document → token →
 * role that a test changes. A token it has never heard of is unauthenticated; a known token with no
 * role on a document is a stranger to it.
 */
class TableAccess implements AccessControl {
  readonly roles = new Map<string, Map<string, Role>>();
  readonly #tokens = new Set([EDITOR, VIEWER, STRANGER]);

  async authorize(token: string, resourceId: string): Promise<Access | Denial> {
    if (!this.#tokens.has(token)) {
      return { ok: false, reason: DenialReason.unauthenticated, message: 'not a token of this project' };
    }
    const document = this.roles.get(resourceId);
    if (!document) return { ok: false, reason: DenialReason.unknown, message: 'no such document' };
    const role = document.get(token);
    if (!role) return { ok: false, reason: DenialReason.forbidden, message: 'not a member' };
    return {
      ok: true,
      role,
      workspaceId: 'team',
      kind: ResourceKind.document,
      userId: token,
      userName: token,
      exp: Number.POSITIVE_INFINITY,
    };
  }

  authorizeMany(checks: readonly AccessCheck[]): Promise<(Access | Denial)[]> {
    return Promise.all(checks.map((check) => this.authorize(check.token, check.resourceId)));
  }
}
