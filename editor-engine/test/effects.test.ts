// Tests of effect markers (`buffer.edit` with `marker`) and `buffer.flush`: an edit that must happen
// once is applied once whatever is resent, travels with its marker in one Yjs update, and is known
// stored once the sync-server says so.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  type DocumentId,
  EFFECT_MARKERS_NAME,
  EngineErrorCode,
  MAX_EFFECT_MARKER_LENGTH,
  type Role,
} from '@symphony/schemas';
import {
  type Access,
  type AccessCheck,
  type AccessControl,
  type Denial,
  DenialReason,
  type DocumentPersistence,
  MemoryDocumentPersistence,
  ResourceKind,
} from '@symphony/sync-server';
import { startTestServer } from '@symphony/sync-server/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { EditorEngine, EditorEngineClient, effectMarkers, TEXT_NAME } from '../src/index.js';
import { stdioChannel, WebsocketDocumentSource } from '../src/node.js';
import { connectInProcess, eventually, memoryEngine } from './helpers.js';

const EDITOR = 'editor-token';
const VIEWER = 'viewer-token';

interface RequestFailure {
  code: number;
  message: string;
  data: unknown;
}

async function failure(promise: Promise<unknown>): Promise<RequestFailure> {
  return promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e: RequestFailure) => e,
  );
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('buffer.edit with a marker, in one engine', () => {
  async function opened(role: Role = 'editor') {
    const { source, client } = memoryEngine({ role: () => role });
    const c = client();
    cleanups.push(() => c.close());
    const { bufferId } = await c.request('buffer.open', { documentId: 'notes', updates: 'others' });
    return { client: c, bufferId, doc: source.document('notes'), makeClient: client };
  }

  it('applies the edit once when the same request is sent twice, and says so', async () => {
    const { client, bufferId, doc } = await opened();
    const edit = { bufferId, edits: [{ op: 'insert' as const, at: 0, text: 'summary\n' }], marker: 'r1/n1' };
    expect(await client.request('buffer.edit', edit)).toEqual({ revision: 1, applied: true });
    expect(await client.request('buffer.edit', edit)).toEqual({ revision: 1, applied: false });
    expect(doc.getText(TEXT_NAME).toString()).toBe('summary\n');
    expect(effectMarkers(doc).get('r1/n1')).toEqual({ at: expect.any(Number) });
  });

  it('applies it once when the requests are pipelined or come from two callers at once', async () => {
    const { client, bufferId, doc, makeClient } = await opened();
    const other = makeClient();
    cleanups.push(() => other.close());
    const { bufferId: otherBuffer } = await other.request('buffer.open', { documentId: 'notes' });
    const insert = [{ op: 'insert' as const, at: 0, text: 'once' }];
    const results = await Promise.all([
      client.request('buffer.edit', { bufferId, edits: insert, marker: 'r1/n2' }),
      client.request('buffer.edit', { bufferId, edits: insert, marker: 'r1/n2' }),
      other.request('buffer.edit', { bufferId: otherBuffer, edits: insert, marker: 'r1/n2' }),
    ]);
    expect(results.filter((r) => r.applied === true)).toHaveLength(1);
    expect(results.filter((r) => r.applied === false)).toHaveLength(2);
    expect(doc.getText(TEXT_NAME).toString()).toBe('once');
  });

  it('answers applied: false for a marker already there, even when the edit no longer fits the text', async () => {
    const { client, bufferId, doc } = await opened();
    await client.request('buffer.edit', {
      bufferId,
      edits: [{ op: 'insert', at: 0, text: 'abcdef' }],
      marker: 'r1/n3',
    });
    doc.getText(TEXT_NAME).delete(0, 6);
    const again = await client.request('buffer.edit', {
      bufferId,
      baseRevision: 0,
      edits: [{ op: 'insert', at: 6, text: 'x' }],
      marker: 'r1/n3',
    });
    expect(again).toEqual({ revision: 2, applied: false });
    expect(doc.getText(TEXT_NAME).toString()).toBe('');
  });

  it('replaces the whole text and records the marker in one batch, once', async () => {
    const { client, bufferId, doc } = await opened();
    await client.request('buffer.edit', { bufferId, edits: [{ op: 'insert', at: 0, text: 'old text' }] });
    const replace = {
      bufferId,
      edits: [{ op: 'replace' as const, from: 0, to: 8, text: 'new' }],
      marker: 'r1/n4',
    };
    expect(await client.request('buffer.edit', replace)).toEqual({ revision: 2, applied: true });
    expect(await client.request('buffer.edit', replace)).toEqual({ revision: 2, applied: false });
    expect(doc.getText(TEXT_NAME).toString()).toBe('new');
    // Replacing an empty text with nothing still records that the effect happened.
    const { bufferId: empty, client: c } = await opened();
    expect(
      await c.request('buffer.edit', {
        bufferId: empty,
        edits: [{ op: 'insert', at: 0, text: '' }],
        marker: 'r1/n5',
      }),
    ).toEqual({ revision: 0, applied: true });
  });

  it('refuses a marker that is too long, empty or not text with InvalidParams, writing nothing', async () => {
    const { client, bufferId, doc } = await opened();
    const bad: unknown[] = ['x'.repeat(MAX_EFFECT_MARKER_LENGTH + 1), '', 42, { runId: 'r1' }];
    for (const marker of bad) {
      const e = await failure(
        client.request('buffer.edit', {
          bufferId,
          edits: [{ op: 'insert', at: 0, text: 'no' }],
          marker: marker as string,
        }),
      );
      expect(e.code, JSON.stringify(marker)).toBe(EngineErrorCode.InvalidParams);
      expect(e.message).toContain('marker');
    }
    expect(doc.getText(TEXT_NAME).toString()).toBe('');
    expect(effectMarkers(doc).size).toBe(0);
    // The longest marker allowed is taken.
    const longest = 'm'.repeat(MAX_EFFECT_MARKER_LENGTH);
    const ok = await client.request('buffer.edit', {
      bufferId,
      edits: [{ op: 'insert', at: 0, text: 'ok' }],
      marker: longest,
    });
    expect(ok.applied).toBe(true);
  });

  it('refuses a viewer with ReadOnly and writes neither the text nor the marker', async () => {
    const { client, bufferId, doc } = await opened('viewer');
    const e = await failure(
      client.request('buffer.edit', {
        bufferId,
        edits: [{ op: 'insert', at: 0, text: 'no' }],
        marker: 'r1/n6',
      }),
    );
    expect(e.code).toBe(EngineErrorCode.ReadOnly);
    expect(doc.getText(TEXT_NAME).toString()).toBe('');
    expect(effectMarkers(doc).has('r1/n6')).toBe(false);
  });

  it('keeps the marker when the caller undoes the edit: undo is the text’s, the marker is history', async () => {
    const { client, bufferId, doc } = await opened();
    await client.request('buffer.edit', {
      bufferId,
      edits: [{ op: 'insert', at: 0, text: 'result' }],
      marker: 'r1/n7',
    });
    expect(await client.request('buffer.undo', { bufferId })).toMatchObject({ changed: true });
    expect(doc.getText(TEXT_NAME).toString()).toBe('');
    expect(effectMarkers(doc).has('r1/n7')).toBe(true);
    // A person's undo manager, scoped to the text as the client's is, ignores the marker map.
    const person = new Y.UndoManager(doc.getText(TEXT_NAME), { trackedOrigins: new Set([null]) });
    doc.transact(() => {
      doc.getText(TEXT_NAME).insert(0, 'typed');
      effectMarkers(doc).set('by-hand', { at: 0 });
    });
    person.undo();
    expect(doc.getText(TEXT_NAME).toString()).toBe('');
    expect(effectMarkers(doc).has('by-hand')).toBe(true);
  });

  it('flushes at once where the source reports no storage', async () => {
    const { client, bufferId } = await opened();
    expect(await client.request('buffer.flush', { bufferId })).toEqual({ revision: 0, stored: false });
    const e = await failure(client.request('buffer.flush', { bufferId, timeoutMs: 0 }));
    expect(e.code).toBe(EngineErrorCode.InvalidParams);
  });
});

describe('effect markers through a real sync-server', () => {
  async function serve(persistence: DocumentPersistence = new MemoryDocumentPersistence()) {
    const access = new TableAccess();
    const server = await startTestServer({}, { persistence, access });
    cleanups.push(() => server.close());
    return { server, access, yjsUrl: `${server.url.replace('http', 'ws')}/yjs` };
  }

  function engineOf(yjsUrl: string): EditorEngineClient {
    const engine = new EditorEngine({ source: new WebsocketDocumentSource({ url: yjsUrl }) });
    const client = connectInProcess(engine);
    cleanups.push(() => {
      client.close();
      engine.close();
    });
    return client;
  }

  async function stockPeer(yjsUrl: string, documentId: string) {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(yjsUrl, documentId, doc, {
      params: { token: EDITOR },
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
    });
    cleanups.push(() => provider.destroy());
    await eventually(() => expect(provider.synced).toBe(true));
    return doc;
  }

  /** What the server has stored for a document, as a fresh Y.Doc. */
  async function stored(persistence: DocumentPersistence, documentId: string): Promise<Y.Doc> {
    const doc = new Y.Doc();
    for (const update of await persistence.load(documentId as DocumentId)) Y.applyUpdate(doc, update);
    return doc;
  }

  it('shows a peer the edit and its marker in one update, never one without the other', async () => {
    const { access, yjsUrl } = await serve();
    access.allow('report', { [EDITOR]: 'editor' });
    const peer = await stockPeer(yjsUrl, 'report');
    const seen: { text: boolean; marker: boolean }[] = [];
    peer.on('update', () => {
      seen.push({
        text: peer.getText(TEXT_NAME).toString().includes('the summary'),
        marker: peer.getMap(EFFECT_MARKERS_NAME).has('r2/n1'),
      });
    });
    const client = engineOf(yjsUrl);
    const { bufferId } = await client.request('buffer.open', {
      documentId: 'report',
      token: EDITOR,
      updates: 'others',
    });
    await client.request('buffer.edit', {
      bufferId,
      edits: [{ op: 'insert', at: 0, text: 'the summary' }],
      marker: 'r2/n1',
    });
    await eventually(() => expect(seen.some((s) => s.marker)).toBe(true));
    expect(seen.every((s) => s.text === s.marker)).toBe(true);
  });

  it('flushes once the server has stored the edit and its marker, not before', async () => {
    const persistence = new GatedPersistence();
    const { access, yjsUrl } = await serve(persistence);
    access.allow('held', { [EDITOR]: 'editor' });
    const client = engineOf(yjsUrl);
    const { bufferId } = await client.request('buffer.open', { documentId: 'held', token: EDITOR });
    persistence.hold();
    await client.request('buffer.edit', {
      bufferId,
      edits: [{ op: 'insert', at: 0, text: 'kept' }],
      marker: 'r2/n2',
    });
    let flushed = false;
    const flush = client.request('buffer.flush', { bufferId }).then((result) => {
      flushed = true;
      return result;
    });
    await eventually(() => expect(persistence.waiting).toBeGreaterThan(0));
    // The server has the edit but has not stored it: the savedState that would end the flush comes
    // only after the held append resolves.
    expect(flushed).toBe(false);
    persistence.release();
    expect(await flush).toEqual({ revision: 1, stored: true });
    const doc = await stored(persistence, 'held');
    expect(doc.getText(TEXT_NAME).toString()).toBe('kept');
    expect(doc.getMap(EFFECT_MARKERS_NAME).has('r2/n2')).toBe(true);
  });

  it('fails a flush with SyncFailed on timeout and on disconnect, and succeeds when asked again', async () => {
    const persistence = new GatedPersistence();
    const { server, access, yjsUrl } = await serve(persistence);
    access.allow('slow', { [EDITOR]: 'editor' });
    const client = engineOf(yjsUrl);
    const { bufferId } = await client.request('buffer.open', { documentId: 'slow', token: EDITOR });
    persistence.hold();
    await client.request('buffer.edit', { bufferId, edits: [{ op: 'insert', at: 0, text: 'x' }] });
    const late = await failure(client.request('buffer.flush', { bufferId, timeoutMs: 300 }));
    expect(late.code).toBe(EngineErrorCode.SyncFailed);
    expect(late.message).toContain('flush again');
    persistence.release();
    expect(await client.request('buffer.flush', { bufferId })).toMatchObject({ stored: true });

    persistence.hold();
    await client.request('buffer.edit', { bufferId, edits: [{ op: 'insert', at: 0, text: 'y' }] });
    const flush = failure(client.request('buffer.flush', { bufferId }));
    await eventually(() => expect(persistence.waiting).toBeGreaterThan(0));
    // The server closes every connection first, then waits for the held append.
    const closing = server.close();
    const dropped = await flush;
    expect(dropped.code).toBe(EngineErrorCode.SyncFailed);
    persistence.release();
    await closing;
  });

  it('writes once when a second engine repeats the edit after the first was killed', {
    timeout: 60_000,
  }, async () => {
    const persistence = new MemoryDocumentPersistence();
    const { access, yjsUrl } = await serve(persistence);
    access.allow('journal', { [EDITOR]: 'editor' });
    const edit = async (engine: { client: EditorEngineClient }) => {
      const { bufferId } = await engine.client.request('buffer.open', {
        documentId: 'journal',
        token: EDITOR,
        updates: 'others',
      });
      const result = await engine.client.request('buffer.edit', {
        bufferId,
        edits: [{ op: 'insert', at: 0, text: 'written once\n' }],
        marker: 'r2/n3',
      });
      await engine.client.request('buffer.flush', { bufferId });
      return result.applied;
    };
    const first = spawned(yjsUrl);
    expect(await edit(first)).toBe(true);
    await kill(first.child);
    const second = spawned(yjsUrl);
    expect(await edit(second)).toBe(false);
    const doc = await stored(persistence, 'journal');
    expect(doc.getText(TEXT_NAME).toString()).toBe('written once\n');
  });

  it('refuses a viewer with ReadOnly over the server, and nothing reaches it', async () => {
    const persistence = new MemoryDocumentPersistence();
    const { access, yjsUrl } = await serve(persistence);
    access.allow('read-only', { [EDITOR]: 'editor', [VIEWER]: 'viewer' });
    await stockPeer(yjsUrl, 'read-only');
    const client = engineOf(yjsUrl);
    const { bufferId, role } = await client.request('buffer.open', {
      documentId: 'read-only',
      token: VIEWER,
    });
    expect(role).toBe('viewer');
    const e = await failure(
      client.request('buffer.edit', {
        bufferId,
        edits: [{ op: 'insert', at: 0, text: 'no' }],
        marker: 'r2/n4',
      }),
    );
    expect(e.code).toBe(EngineErrorCode.ReadOnly);
    expect(await client.request('buffer.flush', { bufferId })).toMatchObject({ stored: true });
    const doc = await stored(persistence, 'read-only');
    expect(doc.getMap(EFFECT_MARKERS_NAME).size).toBe(0);
    expect(doc.getText(TEXT_NAME).toString()).toBe('');
  });
});

/** The built bin (tests run against what `npx tsc -b` produced, as users do). */
const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** The built engine as a child process over stdio, killed at the end of the test. */
function spawned(yjsUrl: string): { client: EditorEngineClient; child: ChildProcess } {
  const child = spawn(process.execPath, [BIN, '--sync-url', yjsUrl], { stdio: ['pipe', 'pipe', 'inherit'] });
  const client = new EditorEngineClient(stdioChannel(child));
  cleanups.push(async () => {
    client.close();
    await kill(child);
  });
  return { client, child };
}

/** Kills a child with SIGKILL and waits until it is gone. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

/**
 * Storage whose appends can be held back (the server has an edit but has not stored it), then
 * released; otherwise the memory adapter.
 */
class GatedPersistence implements DocumentPersistence {
  readonly #inner = new MemoryDocumentPersistence();
  #gate: Promise<void> | undefined;
  #open: () => void = () => {};
  /** Appends waiting for {@link release}. */
  waiting = 0;

  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  release(): void {
    this.#gate = undefined;
    this.#open();
  }

  load(documentId: DocumentId): Promise<Uint8Array[]> {
    return this.#inner.load(documentId);
  }

  async append(documentId: DocumentId, updates: readonly Uint8Array[]): Promise<void> {
    if (this.#gate) {
      this.waiting++;
      await this.#gate;
      this.waiting--;
    }
    return this.#inner.append(documentId, updates);
  }

  compact(documentId: DocumentId, state: Uint8Array): Promise<void> {
    return this.#inner.compact(documentId, state);
  }

  list(): Promise<DocumentId[]> {
    return this.#inner.list();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** Who may open what, as OFB would answer: document → token → role; an unknown token is refused. */
class TableAccess implements AccessControl {
  readonly #roles = new Map<string, Record<string, Role>>();

  allow(documentId: string, roles: Record<string, Role>): void {
    this.#roles.set(documentId, roles);
  }

  async authorize(token: string, resourceId: string): Promise<Access | Denial> {
    if (token !== EDITOR && token !== VIEWER) {
      return { ok: false, reason: DenialReason.unauthenticated, message: 'not a token of this project' };
    }
    const roles = this.#roles.get(resourceId);
    if (!roles) return { ok: false, reason: DenialReason.unknown, message: 'no such document' };
    const role = roles[token];
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
