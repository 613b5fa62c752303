// Tests of buffers as y-websocket peers of a real sync-server, open and under OFB's permissions.
import { freshName, startTestOfb, type TestOfb, type TestUser } from '@symphony/ofb/testing';
import { EngineErrorCode } from '@symphony/schemas';
import {
  MemoryDocumentPersistence,
  OfbAccessControl,
  type SyncServer,
  silentLogger,
  startSyncServer,
} from '@symphony/sync-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { EditorEngine, type EditorEngineClient } from '../src/index.js';
import { WebsocketDocumentSource } from '../src/node.js';
import { connectInProcess, eventually } from './helpers.js';

/** A stock y-websocket client, as a browser tab would be. */
function stockClient(server: SyncServer, documentId: string, token?: string) {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${server.url.replace('http', 'ws')}/yjs`, documentId, doc, {
    params: token === undefined ? {} : { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  return { doc, provider, text: doc.getText('content') };
}

async function failure(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error('expected failure');
    },
    (e: { code: number; message: string; data: unknown }) => e,
  );
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function engineFor(server: SyncServer, openTimeoutMs = 10_000): EditorEngineClient {
  const engine = new EditorEngine({
    source: new WebsocketDocumentSource({ url: `${server.url.replace('http', 'ws')}/yjs`, openTimeoutMs }),
  });
  const client = connectInProcess(engine);
  cleanups.push(() => {
    client.close();
    engine.close();
  });
  return client;
}

describe('buffers as y-websocket peers of a real sync-server (OpenAccess)', () => {
  it('merges the engine’s edits and a stock client’s, both ways, with remote origins and patchable ops', async () => {
    const server = await startSyncServer(
      { port: 0 },
      { persistence: new MemoryDocumentPersistence(), logger: silentLogger },
    );
    cleanups.push(() => server.close());
    const stock = stockClient(server, 'shared-doc', 'anyone');
    cleanups.push(() => stock.provider.destroy());
    await eventually(() => expect(stock.provider.synced).toBe(true));
    stock.text.insert(0, 'from the browser\n');

    const client = engineFor(server);
    await eventually(async () => {
      const opened = await client.request('buffer.open', { documentId: 'shared-doc', token: 'engine' });
      expect(opened.length).toBe(17);
    });
    const { bufferId, role } = await client.request('buffer.open', {
      documentId: 'shared-doc',
      token: 'engine',
    });
    expect(role).toBe('editor');
    const updates: string[] = [];
    client.on('buffer.update', (u) => updates.push(u.origin));

    await client.request('buffer.edit', {
      bufferId,
      edits: [{ op: 'insert', at: { line: 1, column: 0 }, text: 'from the engine' }],
    });
    await eventually(() => expect(stock.text.toString()).toBe('from the browser\nfrom the engine'));

    stock.text.insert(0, '> ');
    await eventually(async () =>
      expect((await client.request('buffer.read', { bufferId })).text).toBe(
        '> from the browser\nfrom the engine',
      ),
    );
    expect(updates).toEqual(['self', 'remote']);
    // Undo reverts only the engine caller's edit, and the stock client sees it.
    await client.request('buffer.undo', { bufferId });
    await eventually(() => expect(stock.text.toString()).toBe('> from the browser\n'));
  });

  it('carries an edit of several MiB (a pasted log) to the server and to a stock client', {
    timeout: 30_000,
  }, async () => {
    // The server's default limits: an edit the engine accepts (up to 8 MiB of JSON) must fit in one
    // sync-server message, or the engine's socket would be closed with 1009 on every retry.
    const server = await startSyncServer(
      { port: 0 },
      { persistence: new MemoryDocumentPersistence(), logger: silentLogger },
    );
    cleanups.push(() => server.close());
    const client = engineFor(server);
    const { bufferId } = await client.request('buffer.open', { documentId: 'big-paste', updates: 'others' });
    const line = `${'0123456789abcdef'.repeat(8)} — a line of the log\n`;
    const pasted = line.repeat(Math.ceil((6 * 1024 * 1024) / line.length));
    await client.request('buffer.edit', { bufferId, edits: [{ op: 'insert', at: 0, text: pasted }] });
    const statuses: unknown[] = [];
    client.on('buffer.status', (s) => statuses.push(s));
    const stock = stockClient(server, 'big-paste', 'anyone');
    cleanups.push(() => stock.provider.destroy());
    await eventually(() => expect(stock.text.length).toBe(pasted.length), 20_000);
    expect(stock.text.toString() === pasted).toBe(true);
    expect(statuses).toEqual([]);
  });

  it('fails an open with SyncFailed when no sync-server answers', async () => {
    const engine = new EditorEngine({
      source: new WebsocketDocumentSource({ url: 'ws://127.0.0.1:9/yjs', openTimeoutMs: 500 }),
    });
    const client = connectInProcess(engine);
    cleanups.push(() => client.close());
    const e = await failure(client.request('buffer.open', { documentId: 'nowhere' }));
    expect(e.code).toBe(EngineErrorCode.SyncFailed);
    expect(e.message).toContain('nowhere');
  });
});

describe('buffers under OFB’s permissions', () => {
  let ofb: TestOfb;
  let owner: TestUser;
  let editor: TestUser;
  let viewer: TestUser;
  let stranger: TestUser;
  let workspaceId: string;
  let server: SyncServer;
  const freshId = () => freshName('doc');
  /** Creates a document with the given id in `workspace` (the team's by default), as its owner. */
  const createDocument = (id: string, workspace = workspaceId) =>
    ofb.ok('create-document', { workspaceId: workspace, id, kind: 'document', title: id }, owner.token);

  beforeAll(async () => {
    ofb = await startTestOfb();
    [owner, editor, viewer, stranger] = await Promise.all(
      ['owner', 'editor', 'viewer', 'stranger'].map((prefix) => ofb.signUp(freshName(prefix))),
    );
    workspaceId = await ofb.createWorkspace(owner, [
      { user: editor, role: 'editor' },
      { user: viewer, role: 'viewer' },
    ]);
    server = await startSyncServer(
      { port: 0 },
      {
        persistence: new MemoryDocumentPersistence(),
        logger: silentLogger,
        access: new OfbAccessControl({
          url: ofb.url,
          anonKey: 'anon',
          serviceToken: await ofb.serviceToken(),
        }),
      },
    );
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await ofb?.close();
  });

  it('gives a viewer’s engine ReadOnly, and carries an editor’s edits to a stock client', async () => {
    const documentId = freshId();
    await createDocument(documentId);
    const stock = stockClient(server, documentId, owner.token);
    cleanups.push(() => stock.provider.destroy());
    await eventually(() => expect(stock.provider.synced).toBe(true));
    stock.text.insert(0, 'owner wrote this');

    const asViewer = engineFor(server);
    const viewerBuffer = await asViewer.request('buffer.open', { documentId, token: viewer.token });
    expect(viewerBuffer.role).toBe('viewer');
    const refused = await failure(
      asViewer.request('buffer.edit', {
        bufferId: viewerBuffer.bufferId,
        edits: [{ op: 'insert', at: 0, text: 'x' }],
      }),
    );
    expect(refused.code).toBe(EngineErrorCode.ReadOnly);
    expect(refused.message).toContain('viewer');

    const asEditor = engineFor(server);
    const editorBuffer = await asEditor.request('buffer.open', { documentId, token: editor.token });
    expect(editorBuffer.role).toBe('editor');
    await eventually(async () =>
      expect((await asEditor.request('buffer.read', { bufferId: editorBuffer.bufferId })).text).toBe(
        'owner wrote this',
      ),
    );
    await asEditor.request('buffer.edit', {
      bufferId: editorBuffer.bufferId,
      edits: [{ op: 'replace', from: 0, to: 5, text: 'an editor' }],
    });
    await eventually(() => expect(stock.text.toString()).toBe('an editor wrote this'));
    // The viewer's buffer follows along, read-only.
    await eventually(async () =>
      expect((await asViewer.request('buffer.read', { bufferId: viewerBuffer.bufferId })).text).toBe(
        'an editor wrote this',
      ),
    );
  });

  it('maps the sync-server’s refusals to Unauthorized, Forbidden and UnknownDocument', async () => {
    const documentId = freshId();
    await createDocument(documentId);
    const client = engineFor(server);
    const noToken = await failure(client.request('buffer.open', { documentId, token: 'garbage' }));
    expect(noToken.code).toBe(EngineErrorCode.Unauthorized);
    expect(noToken.data).toMatchObject({ closeCode: 4401 });
    const notMember = await failure(client.request('buffer.open', { documentId, token: stranger.token }));
    expect(notMember.code).toBe(EngineErrorCode.Forbidden);
    expect(notMember.data).toMatchObject({ closeCode: 4403 });
    const unknown = await failure(
      client.request('buffer.open', { documentId: freshId(), token: owner.token }),
    );
    expect(unknown.code).toBe(EngineErrorCode.UnknownDocument);
    expect(unknown.data).toMatchObject({ closeCode: 4410 });
  });

  it('follows a role change live and stops a removed member’s buffer with Forbidden', {
    timeout: 30_000,
  }, async () => {
    const [changer, leaver] = await Promise.all([
      ofb.signUp(freshName('changer')),
      ofb.signUp(freshName('leaver')),
    ]);
    const team = await ofb.createWorkspace(owner, [
      { user: changer, role: 'editor' },
      { user: leaver, role: 'editor' },
    ]);
    const documentId = freshId();
    await createDocument(documentId, team);

    const asChanger = engineFor(server);
    const changed = await asChanger.request('buffer.open', { documentId, token: changer.token });
    const roles: string[] = [];
    asChanger.on('buffer.status', (s) => roles.push(s.role));
    await asChanger.request('buffer.edit', {
      bufferId: changed.bufferId,
      edits: [{ op: 'insert', at: 0, text: 'ok' }],
    });
    await ofb.ok('change-role', { workspaceId: team, userId: changer.id, role: 'viewer' }, owner.token);
    await eventually(() => expect(roles).toContain('viewer'), 10_000);
    const readOnly = await failure(
      asChanger.request('buffer.edit', {
        bufferId: changed.bufferId,
        edits: [{ op: 'insert', at: 0, text: 'no' }],
      }),
    );
    expect(readOnly.code).toBe(EngineErrorCode.ReadOnly);

    const asLeaver = engineFor(server);
    const left = await asLeaver.request('buffer.open', { documentId, token: leaver.token });
    const errors: number[] = [];
    asLeaver.on('buffer.status', (s) => {
      if (s.error) errors.push(s.error.code);
    });
    await ofb.ok('remove-member', { workspaceId: team, userId: leaver.id }, owner.token);
    await eventually(() => expect(errors).toEqual([EngineErrorCode.Forbidden]), 10_000);
    const refused = await failure(
      asLeaver.request('buffer.edit', {
        bufferId: left.bufferId,
        edits: [{ op: 'insert', at: 0, text: 'x' }],
      }),
    );
    expect(refused.code).toBe(EngineErrorCode.Forbidden);
    // What it had is still readable.
    expect((await asLeaver.request('buffer.read', { bufferId: left.bufferId })).text).toBe('ok');
  });
});
