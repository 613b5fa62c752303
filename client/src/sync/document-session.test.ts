// Tests of a Document's session against a fake y-websocket server: unsaved-change counts (the engine's
// too), storage refusals 4413/4414, permission-denied, accounts kept apart.
import 'fake-indexeddb/auto';
import { DOCUMENT_PORT_ORIGIN } from '@symphony/editor-engine';
import type { DocumentId } from '@symphony/schemas';
import { CloseCode, encodeSavedState, MessageType } from '@symphony/schemas';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { removeAccountData } from '../core/local-stores.js';
import { MemoryStringStore } from '../core/StringStore.js';
import {
  ConnectionStatus,
  DocumentAccess,
  DocumentSession,
  documentsWithPendingChanges,
  localDatabaseName,
} from './document-session.js';

/**
 * A minimal server speaking y-websocket sync plus `savedState`, where the test decides when a
 * write becomes durable (`persist()`), so "unsaved" can be observed in between.
 */
class FakeSyncServer {
  readonly doc = new Y.Doc();
  private stored = new Uint8Array([0]);
  private readonly subscribers = new Set<WebSocket>();
  private readonly wss: WebSocketServer;

  static async start(): Promise<FakeSyncServer> {
    const server = new FakeSyncServer();
    await new Promise((resolve) => server.wss.once('listening', resolve));
    return server;
  }

  /** Resolves once the server's copy of the text reads `expected`. */
  whenText(expected: string): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.doc.getText('content').toString() !== expected) return;
        this.doc.off('update', check);
        resolve();
      };
      this.doc.on('update', check);
      check();
    });
  }

  private constructor() {
    this.wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    this.wss.on('connection', (socket) => {
      this.connections++;
      socket.binaryType = 'arraybuffer';
      socket.on('message', (data: ArrayBuffer) => this.onMessage(socket, new Uint8Array(data)));
      socket.on('close', () => this.subscribers.delete(socket));
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MessageType.sync);
      syncProtocol.writeSyncStep1(encoder, this.doc);
      socket.send(encoding.toUint8Array(encoder));
    });
  }

  get url(): string {
    const address = this.wss.address();
    if (typeof address === 'string') throw new Error('unexpected address');
    return `ws://127.0.0.1:${address.port}`;
  }

  /** Makes everything received so far durable and reports it to subscribers. */
  persist(): void {
    this.stored = Y.encodeStateVector(this.doc);
    for (const socket of this.subscribers) socket.send(encodeSavedState(this.stored));
  }

  /** Closes every connection with `code` and `reason` (as the sync-server ends a session). */
  closeAll(code: number, reason: string): void {
    for (const client of this.wss.clients) client.close(code, reason);
  }

  /** While set, writes are dropped and answered with permission-denied (a viewer's socket). */
  refuseWrites = false;

  /** How many connections were opened so far. */
  connections = 0;

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
  }

  private onMessage(socket: WebSocket, message: Uint8Array): void {
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    if (type === MessageType.savedState) {
      this.subscribers.add(socket);
      socket.send(encodeSavedState(this.stored));
    } else if (
      type === MessageType.sync &&
      this.refuseWrites &&
      message[1] !== syncProtocol.messageYjsSyncStep1
    ) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MessageType.auth);
      encoding.writeVarUint(encoder, 0);
      encoding.writeVarString(encoder, 'permission denied');
      socket.send(encoding.toUint8Array(encoder));
    } else if (type === MessageType.sync) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MessageType.sync);
      syncProtocol.readSyncMessage(decoder, encoder, this.doc, socket);
      if (encoding.length(encoder) > 1) socket.send(encoding.toUint8Array(encoder));
    }
  }
}

const id = 'doc-1' as DocumentId;

function until(session: DocumentSession, predicate: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (predicate()) return resolve();
    const stop = session.subscribe(() => {
      if (predicate()) {
        stop();
        resolve();
      }
    });
  });
}

describe('DocumentSession', () => {
  let server: FakeSyncServer;
  let store: MemoryStringStore;
  const open: DocumentSession[] = [];

  const openSession = (networkAvailable = true): DocumentSession => {
    const session = new DocumentSession(id, {
      serverUrl: server.url,
      store,
      networkAvailable,
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    open.push(session);
    return session;
  };

  beforeEach(async () => {
    server = await FakeSyncServer.start();
    store = new MemoryStringStore();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.eraseLocalCopy()));
    await server.close();
  });

  it('counts local edits until the server reports them durably stored', async () => {
    const session = openSession();
    await session.whenLoaded;
    await until(session, () => session.snapshot.status === ConnectionStatus.online);
    const text = session.doc.getText('content');
    text.insert(0, 'one');
    text.insert(3, ' two');
    expect(session.snapshot.unsaved).toBe(2);
    expect(session.snapshot.status).toBe(ConnectionStatus.syncing);
    await server.whenText('one two');
    expect(session.snapshot.unsaved).toBe(2);
    server.persist();
    await until(session, () => session.snapshot.unsaved === 0);
    expect(session.snapshot.status).toBe(ConnectionStatus.online);
  });

  it('keeps counting offline edits across a reload, and clears them once the server saves', async () => {
    const first = openSession(false);
    await first.whenLoaded;
    expect(first.snapshot).toMatchObject({ status: ConnectionStatus.offline, offlineReason: 'network' });
    first.doc.getText('content').insert(0, 'written offline');
    first.doc.getText('content').delete(0, 1);
    expect(first.snapshot.unsaved).toBe(2);
    await first.destroy();
    expect(documentsWithPendingChanges(store)).toEqual([id]);

    const second = openSession(false);
    await second.whenLoaded;
    expect(second.doc.getText('content').toString()).toBe('ritten offline');
    expect(second.snapshot.unsaved).toBe(2);

    second.setNetworkAvailable(true);
    await server.whenText('ritten offline');
    expect(second.snapshot.unsaved).toBe(2);
    server.persist();
    await until(second, () => second.snapshot.unsaved === 0);
    expect(documentsWithPendingChanges(store)).toEqual([]);
  });

  it("counts the editor engine's edits from its Worker until the server stores them", async () => {
    const session = openSession();
    await session.whenLoaded;
    await until(session, () => session.snapshot.status === ConnectionStatus.online);
    // The engine's replica, as PortDocumentSource keeps it: its updates reach the page's doc
    // through the document port, with the port's origin.
    const replica = new Y.Doc();
    replica.on('update', (update: Uint8Array) => Y.applyUpdate(session.doc, update, DOCUMENT_PORT_ORIGIN));
    const text = replica.getText('content');
    text.insert(0, 'replaced by the engine');
    text.delete(0, 12);
    expect(session.doc.getText('content').toString()).toBe('the engine');
    expect(session.snapshot.unsaved).toBe(2);
    await server.whenText('the engine');
    server.persist();
    await until(session, () => session.snapshot.unsaved === 0);
  });

  it('does not count changes that arrive from the server', async () => {
    server.doc.getText('content').insert(0, 'from elsewhere');
    server.persist();
    const session = openSession();
    await until(session, () => session.snapshot.status === ConnectionStatus.online);
    expect(session.doc.getText('content').toString()).toBe('from elsewhere');
    expect(session.snapshot.unsaved).toBe(0);
  });

  it('stops reconnecting for good when storage refuses the changes (4413), keeping OFB’s reason', async () => {
    const session = openSession();
    await until(session, () => session.snapshot.status === ConnectionStatus.online);
    session.doc.getText('content').insert(0, 'too much');
    server.closeAll(CloseCode.StorageRefused.code, 'document_too_large');
    await until(session, () => session.snapshot.access === DocumentAccess.storageRefused);
    expect(session.snapshot.refusal).toBe('document_too_large');
    const connections = server.connections;
    // Neither a reconnect request (a token refresh) nor the network coming back revives it.
    session.reconnect();
    session.setNetworkAvailable(false);
    session.setNetworkAvailable(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.connections).toBe(connections);
    expect(session.snapshot.access).toBe(DocumentAccess.storageRefused);
    expect(session.snapshot.unsaved).toBe(1);
  });

  it('takes a 4410 after the server had the document as deleted, not as a registration to wait for', async () => {
    const session = openSession();
    await until(session, () => session.snapshot.status === ConnectionStatus.online);
    server.closeAll(CloseCode.UnknownDocument.code, CloseCode.UnknownDocument.reason);
    await until(session, () => session.snapshot.access === DocumentAccess.storageRefused);
    expect(session.snapshot.refusal).toBe('document_not_found');
  });

  it('stops reconnecting when the server refuses its own change as too large (4414), and says so', async () => {
    const session = openSession();
    await until(session, () => session.snapshot.status === ConnectionStatus.online);
    session.doc.getText('content').insert(0, 'a huge paste');
    server.closeAll(CloseCode.DocumentTooLarge.code, CloseCode.DocumentTooLarge.reason);
    await until(session, () => session.snapshot.access === DocumentAccess.storageRefused);
    expect(session.snapshot.refusal).toBe('document_too_large');
    const connections = server.connections;
    session.reconnect();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.connections).toBe(connections);
  });

  it('counts changes the server refused with permission-denied as not saved, and says the role is viewer', async () => {
    const session = openSession();
    await until(session, () => session.snapshot.status === ConnectionStatus.online);
    expect(session.snapshot.refusedChanges).toBe(0);
    server.refuseWrites = true;
    const text = session.doc.getText('content');
    text.insert(0, 'one');
    text.insert(3, ' two');
    await until(session, () => session.snapshot.refusedChanges > 0);
    expect(session.snapshot).toMatchObject({ refusedChanges: 2, unsaved: 2, role: 'viewer' });
    expect(server.doc.getText('content').toString()).toBe('');
  });

  it('keeps each account’s local copy and unsent changes apart on a shared browser', async () => {
    const asUser = (userId: string): DocumentSession => {
      const session = new DocumentSession(id, {
        serverUrl: server.url,
        store,
        networkAvailable: false,
        userId,
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      });
      open.push(session);
      return session;
    };
    const alice = asUser('alice');
    await alice.whenLoaded;
    alice.doc.getText('content').insert(0, 'Alice’s secret draft');
    await alice.destroy();
    expect(documentsWithPendingChanges(store, 'alice')).toEqual([id]);

    // The next account on this browser sees neither Alice's copy nor her unsent changes.
    expect(documentsWithPendingChanges(store, 'bob')).toEqual([]);
    expect(documentsWithPendingChanges(store)).toEqual([]);
    const bob = asUser('bob');
    await bob.whenLoaded;
    expect(bob.doc.getText('content').toString()).toBe('');
    expect(bob.snapshot.unsaved).toBe(0);
    bob.doc.getText('content').insert(0, 'Bob’s');
    await bob.destroy();

    // Alice's sign-out with "remove offline copies" removes hers only.
    const removed = await removeAccountData('alice', { indexedDB, store });
    expect(removed).toEqual([localDatabaseName(id, 'alice')]);
    expect(documentsWithPendingChanges(store, 'alice')).toEqual([]);
    expect(documentsWithPendingChanges(store, 'bob')).toEqual([id]);
    const aliceAgain = asUser('alice');
    await aliceAgain.whenLoaded;
    expect(aliceAgain.doc.getText('content').toString()).toBe('');
    const bobAgain = asUser('bob');
    await bobAgain.whenLoaded;
    expect(bobAgain.doc.getText('content').toString()).toBe('Bob’s');
  });
});
