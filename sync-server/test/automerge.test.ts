// Tests of /automerge with stock automerge-repo clients: convergence, presence relay, restart on the same
// data, named close codes for bad input, and the pre-auth byte limit before the token is checked.
import { next as A } from '@automerge/automerge';
import { cbor, type DocHandle, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { CloseCode, Health } from '@symphony/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccessControl } from '../src/access/AccessControl.js';
import type { Logger, SyncServer } from '../src/index.js';
import { rawSocket, serverHas, startTestServer, tempDir, waitFor } from '../src/testing.js';

type Notes = {
  items: string[];
};

/** A stock automerge-repo client, as a Node app would run it (no storage). */
function client(port: number): Repo {
  return new Repo({ network: [new WebSocketClientAdapter(`ws://127.0.0.1:${port}/automerge`, 200)] });
}

const headsOf = (handle: DocHandle<Notes>) => A.getHeads(handle.doc());

/** A raw websocket that has joined as `senderId`: for sending what a stock client never would. */
async function joinedSocket(server: SyncServer, senderId = `raw-${Math.random().toString(36).slice(2)}`) {
  const raw = await rawSocket(server, '/automerge');
  raw.ws.send(cbor.encode({ type: 'join', senderId, peerMetadata: {}, supportedProtocolVersions: ['1'] }));
  await waitFor(() => raw.received.length > 0, 'the peer message');
  const reply = cbor.decode(raw.received[0]!) as { type: string; senderId: string };
  expect(reply.type).toBe('peer');
  return { ...raw, senderId, serverId: reply.senderId };
}

/** A sync message for a new document whose one chunk Automerge can decode. */
function syncData(): Uint8Array {
  const doc = A.from<Notes>({ items: ['x'] });
  let state = A.initSyncState();
  let message: Uint8Array | null = null;
  let peer = A.init<Notes>();
  let peerState = A.initSyncState();
  // Two rounds: the second carries the document's changes.
  for (let i = 0; i < 3; i++) {
    [state, message] = A.generateSyncMessage(doc, state);
    if (message && A.decodeSyncMessage(message).changes.length > 0) return message;
    if (message) [peer, peerState] = A.receiveSyncMessage(peer, peerState, message);
    let reply: Uint8Array | null;
    [peerState, reply] = A.generateSyncMessage(peer, peerState);
    if (reply) [, state] = A.receiveSyncMessage(doc, state, reply);
  }
  throw new Error('no sync message with changes');
}

describe('/automerge with stock automerge-repo clients', () => {
  let dir: { dir: string; cleanup: () => Promise<void> };
  let server: SyncServer;
  const repos: Repo[] = [];
  const track = (repo: Repo) => {
    repos.push(repo);
    return repo;
  };
  const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    info() {},
    warn: (msg, fields) => void warnings.push({ msg, ...(fields ? { fields } : {}) }),
    error: (msg, fields) => void warnings.push({ msg, ...(fields ? { fields } : {}) }),
  };

  beforeEach(async () => {
    dir = await tempDir('symphony-automerge-');
    warnings.length = 0;
    server = await startTestServer({ dataDir: dir.dir, maxMessageBytes: 64 * 1024 }, { logger });
  });
  afterEach(async () => {
    await Promise.all(repos.splice(0).map((r) => r.shutdown()));
    await server.close();
    await dir.cleanup();
  });

  it('lets two clients edit one document and converge', async () => {
    const a = track(client(server.port));
    const b = track(client(server.port));
    const fromA = a.create<Notes>({ items: [] });
    fromA.change((d) => void d.items.push('a1'));
    await serverHas(a, fromA);
    const fromB = await b.find<Notes>(fromA.url);
    fromA.change((d) => void d.items.push('a2'));
    fromB.change((d) => void d.items.push('b1'));
    await waitFor(
      () => fromA.doc().items.length === 3 && fromB.doc().items.length === 3,
      'both clients to hold all three edits',
    );
    expect(headsOf(fromB)).toEqual(headsOf(fromA));
    expect([...fromA.doc().items].sort()).toEqual(['a1', 'a2', 'b1']);
    const health = Health.parse(await (await fetch(`${server.url}/healthz`)).json());
    expect(health.automergeDocuments).toBe(1);
    expect(health.connections).toBe(2);
  });

  it('relays ephemeral messages (presence) between stock clients without closing anyone', async () => {
    const a = track(client(server.port));
    const b = track(client(server.port));
    const c = track(client(server.port));
    const fromA = a.create<Notes>({ items: [] });
    fromA.change((d) => void d.items.push('x'));
    await serverHas(a, fromA);
    const fromB = await b.find<Notes>(fromA.url);
    const fromC = await c.find<Notes>(fromA.url);
    const seen: unknown[] = [];
    fromC.on('ephemeral-message', ({ message }) => void seen.push(message));
    await waitFor(() => {
      fromB.broadcast({ cursor: 'b' });
      return seen.length > 0;
    }, "c to see b's presence");
    // b's message reached a too, and a forwarded it back (stock behaviour): nobody was closed.
    fromA.change((d) => void d.items.push('still connected'));
    await waitFor(() => fromC.doc().items.length === 2, 'a later edit to reach c');
    expect(warnings.filter((w) => w.msg.startsWith('closing'))).toEqual([]);
  });

  it('serves the same document, heads and all, after close() and a restart on the same data', async () => {
    const a = track(client(server.port));
    const handle = a.create<Notes>({ items: [] });
    for (let i = 0; i < 50; i++) handle.change((d) => void d.items.push(`item ${i}`));
    await serverHas(a, handle);
    await Promise.all(repos.splice(0).map((r) => r.shutdown()));
    await server.close();

    server = await startTestServer({ dataDir: dir.dir }, { logger });
    const fresh = track(client(server.port));
    const found = await fresh.find<Notes>(handle.url);
    expect(headsOf(found)).toEqual(headsOf(handle));
    expect(found.doc().items).toHaveLength(50);
  });

  it('closes a connection that sends bad input with a named code; other documents keep syncing', async () => {
    const a = track(client(server.port));
    const b = track(client(server.port));
    const fromA = a.create<Notes>({ items: [] });
    fromA.change((d) => void d.items.push('before'));
    await serverHas(a, fromA);
    const fromB = await b.find<Notes>(fromA.url);
    const documentId = fromA.documentId;

    const good = syncData();
    const chunkAt = good.findIndex(
      (_, i) => good[i] === 0x85 && good[i + 1] === 0x6f && good[i + 2] === 0x4a,
    );
    const corrupt = good.slice();
    corrupt[chunkAt + 20]! ^= 0xff;
    expect(() => A.decodeSyncMessage(corrupt)).not.toThrow(); // only the chunk inside is damaged

    const cases: {
      name: string;
      expected: CloseCode;
      frame: (peer: { senderId: string; serverId: string }) => Uint8Array | string;
    }[] = [
      { name: 'a text frame', expected: CloseCode.MalformedMessage, frame: () => 'hello' },
      {
        name: 'bytes that are not CBOR',
        expected: CloseCode.MalformedMessage,
        frame: () => Uint8Array.of(0xff, 0xfe, 0x00),
      },
      {
        name: 'CBOR that is not a map',
        expected: CloseCode.MalformedMessage,
        frame: () => cbor.encode([1, 2, 3]),
      },
      {
        name: 'no type',
        expected: CloseCode.MalformedMessage,
        frame: (p) => cbor.encode({ senderId: p.senderId }),
      },
      {
        name: 'no senderId',
        expected: CloseCode.MalformedMessage,
        frame: () => cbor.encode({ type: 'sync' }),
      },
      {
        name: 'an unknown type',
        expected: CloseCode.UnknownMessageType,
        frame: (p) => cbor.encode({ type: 'gossip', senderId: p.senderId, targetId: p.serverId }),
      },
      {
        name: 'someone else’s senderId',
        expected: CloseCode.UnexpectedPeer,
        frame: (p) =>
          cbor.encode({ type: 'sync', senderId: 'not-me', targetId: p.serverId, documentId, data: good }),
      },
      {
        name: 'a targetId that is not the server',
        expected: CloseCode.UnexpectedPeer,
        frame: (p) =>
          cbor.encode({ type: 'sync', senderId: p.senderId, targetId: 'elsewhere', documentId, data: good }),
      },
      {
        name: 'a second join',
        expected: CloseCode.UnexpectedPeer,
        frame: (p) => cbor.encode({ type: 'join', senderId: p.senderId, peerMetadata: {} }),
      },
      {
        name: 'an invalid documentId',
        expected: CloseCode.InvalidDocumentId,
        frame: (p) =>
          cbor.encode({
            type: 'sync',
            senderId: p.senderId,
            targetId: p.serverId,
            documentId: '../../etc',
            data: good,
          }),
      },
      {
        name: '`data` that is a string',
        expected: CloseCode.MalformedMessage,
        frame: (p) =>
          cbor.encode({
            type: 'request',
            senderId: p.senderId,
            targetId: p.serverId,
            documentId,
            data: 'abc',
          }),
      },
      {
        name: 'sync data Automerge cannot decode',
        expected: CloseCode.AutomergeMessageRejected,
        frame: (p) =>
          cbor.encode({
            type: 'sync',
            senderId: p.senderId,
            targetId: p.serverId,
            documentId,
            data: Uint8Array.of(0x42, 1, 2, 3),
          }),
      },
      {
        name: 'sync data with a corrupt chunk',
        expected: CloseCode.AutomergeMessageRejected,
        frame: (p) =>
          cbor.encode({
            type: 'sync',
            senderId: p.senderId,
            targetId: p.serverId,
            documentId,
            data: corrupt,
          }),
      },
      {
        name: 'a frame over maxMessageBytes',
        expected: CloseCode.MessageTooBig,
        frame: (p) =>
          cbor.encode({
            type: 'sync',
            senderId: p.senderId,
            targetId: p.serverId,
            documentId,
            data: new Uint8Array(70 * 1024),
          }),
      },
    ];
    for (const c of cases) {
      const raw = await joinedSocket(server);
      raw.ws.send(c.frame(raw));
      const closed = await raw.closed;
      expect({ case: c.name, code: closed.code }).toEqual({ case: c.name, code: c.expected.code });
    }
    // A message before join, on a socket that never joined.
    const unjoined = await rawSocket(server, '/automerge');
    unjoined.ws.send(
      cbor.encode({ type: 'sync', senderId: 'x', targetId: 'symphony-sync-server', documentId, data: good }),
    );
    expect((await unjoined.closed).code).toBe(CloseCode.UnexpectedPeer.code);
    // Every refusal left a log line saying why.
    const logged = warnings.filter((w) => w.msg.startsWith('closing automerge connection'));
    expect(logged.map((w) => w.fields?.code)).toEqual([
      ...cases.map((c) => c.expected.code),
      CloseCode.UnexpectedPeer.code,
    ]);

    fromA.change((d) => void d.items.push('after'));
    await waitFor(() => fromB.doc().items.includes('after'), 'the stock clients to keep syncing');
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe('/automerge before the token is checked', () => {
  it('stops reading a frame of several MiB at the pre-auth byte limit', async () => {
    const dir = await tempDir('symphony-automerge-preauth-');
    const warnings: { code?: unknown; detail?: unknown }[] = [];
    const logger: Logger = {
      info() {},
      warn: (_msg, fields) => void warnings.push({ ...fields }),
      error: (_msg, fields) => void warnings.push({ ...fields }),
    };
    const never: AccessControl = { authorize: () => new Promise(() => {}), authorizeMany: async () => [] };
    const server = await startTestServer({ dataDir: dir.dir }, { logger, access: never });
    try {
      const raw = await rawSocket(server, '/automerge');
      raw.ws.send(new Uint8Array(8 * 1024 * 1024));
      await waitFor(
        () => warnings.some((w) => w.code === CloseCode.UnauthenticatedLimit.code),
        'the server to refuse the connection',
      );
      raw.ws.terminate();
      const refusal = warnings.find((w) => w.code === CloseCode.UnauthenticatedLimit.code)!;
      expect(refusal.detail).toMatch(/^\d+ bytes received before the token was checked$/);
      expect(Number.parseInt(String(refusal.detail), 10)).toBeLessThan(1024 * 1024);
    } finally {
      await server.close();
      await dir.cleanup();
    }
  });
});
