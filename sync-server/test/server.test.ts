// Tests of the sync-server with stock y-websocket clients: sync and presence, restart on the same data,
// /healthz, savedState frames, and bad input closing only the offending connection with a named code.
import { CloseCode, Health } from '@symphony/schemas';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { SyncServer } from '../src/index.js';
import { connect, rawSocket, startTestServer, synced, tempDir, waitFor } from '../src/testing.js';
import { updateBomb, updateFrame, updateWithForwardOrigin } from './crafted-updates.js';

describe('sync-server with stock y-websocket clients', () => {
  let dir: { dir: string; cleanup: () => Promise<void> };
  let server: SyncServer;
  const providers: { destroy(): void }[] = [];
  const track = <T extends { destroy(): void }>(p: T): T => {
    providers.push(p);
    return p;
  };

  beforeEach(async () => {
    dir = await tempDir();
    server = await startTestServer({ dataDir: dir.dir, maxMessageBytes: 64 * 1024 });
  });
  afterEach(async () => {
    for (const p of providers.splice(0)) p.destroy();
    await server.close();
    await dir.cleanup();
  });

  it('syncs text and relays awareness, stamped with the token user, between two clients', async () => {
    const a = track(connect(server, 'doc-a'));
    // OpenAccess names each user by their token.
    const b = track(connect(server, 'doc-a', undefined, 'Bea'));
    await Promise.all([synced(a), synced(b)]);
    a.doc.getText('content').insert(0, 'hello from a');
    await waitFor(() => b.doc.getText('content').toString() === 'hello from a', 'b to see a');
    b.awareness.setLocalStateField('user', { name: 'Mallory', color: '#ff0000' });
    await waitFor(
      () =>
        [...a.awareness.getStates().values()].some(
          (s) => s.user?.name === 'Bea' && s.user?.id === 'Bea' && s.user?.color === '#ff0000',
        ),
      "a to see Bea's presence under her own name",
    );
  });

  it('serves every document exactly as it was after a restart', async () => {
    const a = track(connect(server, 'kept'));
    await synced(a);
    const text = a.doc.getText('content');
    text.insert(0, 'line one\n');
    text.insert(text.length, 'line two\n');
    text.delete(0, 5);
    const expected = text.toString();
    const expectedVector = Y.encodeStateVector(a.doc);
    const observer = track(connect(server, 'kept'));
    await waitFor(
      () => observer.doc.getText('content').toString() === expected,
      'the server to have the edits',
    );
    a.destroy();
    observer.destroy();
    await server.close();

    server = await startTestServer({ dataDir: dir.dir });
    const fresh = track(connect(server, 'kept'));
    await synced(fresh);
    expect(fresh.doc.getText('content').toString()).toBe(expected);
    expect(Y.encodeStateVector(fresh.doc)).toEqual(expectedVector);
  });

  it('answers /healthz with the Health shape', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(Health.parse(await res.json()).status).toBe('ok');
    const missing = await fetch(`${server.url}/nothing`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.category).toBe('not_found');
  });

  it('tells a subscribed client the state vector it has durably stored', async () => {
    const raw = await rawSocket(server, '/yjs/saved');
    raw.ws.send(Uint8Array.of(100));
    const doc = new Y.Doc();
    doc.getText('content').insert(0, 'persist me');
    raw.ws.send(updateFrame(Y.encodeStateAsUpdate(doc)));
    await waitFor(
      () =>
        raw.received.some((frame) => {
          const d = decoding.createDecoder(frame);
          if (decoding.readVarUint(d) !== 100) return false;
          const saved = Y.decodeStateVector(decoding.readVarUint8Array(d));
          return saved.get(doc.clientID) === 10;
        }),
      'a savedState frame covering the edit',
    );
    raw.ws.close();
  });

  describe('bad input closes only the offending connection, with a named code', () => {
    async function expectClose(
      path: string,
      frame: Uint8Array | string,
      close: { code: number },
    ): Promise<void> {
      const raw = await rawSocket(server, path);
      raw.ws.send(frame);
      expect((await raw.closed).code).toBe(close.code);
    }

    it.each([
      ['a frame that ends inside its header', Uint8Array.of(0x80)],
      ['a sync frame whose payload is shorter than declared', Uint8Array.of(0, 2, 50, 1, 2)],
      ['an unknown sync step', Uint8Array.of(0, 9, 0)],
      ['trailing bytes after a message', Uint8Array.of(3, 0)],
      ['a state vector that does not decode', Uint8Array.of(0, 0, 2, 5, 0x80)],
      ['an awareness update that is not JSON', Uint8Array.of(1, 6, 1, 1, 1, 2, 0x7b, 0x7b)],
    ])('%s → MalformedMessage', async (_name, frame) => {
      await expectClose('/yjs/bad-input', frame, CloseCode.MalformedMessage);
    });

    it('a text frame → MalformedMessage', async () => {
      await expectClose('/yjs/bad-input', 'hello', CloseCode.MalformedMessage);
    });

    it('an unknown message type → UnknownMessageType', async () => {
      await expectClose('/yjs/bad-input', Uint8Array.of(42), CloseCode.UnknownMessageType);
    });

    it('an oversized frame → MessageTooBig', async () => {
      await expectClose('/yjs/bad-input', new Uint8Array(64 * 1024 + 1), CloseCode.MessageTooBig);
    });

    it('awareness for too many clients from one connection → MalformedMessage', async () => {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, 1);
      const update = encoding.createEncoder();
      encoding.writeVarUint(update, 9);
      for (let client = 1; client <= 9; client++) {
        encoding.writeVarUint(update, client);
        encoding.writeVarUint(update, 1);
        encoding.writeVarString(update, 'null');
      }
      encoding.writeVarUint8Array(e, encoding.toUint8Array(update));
      await expectClose('/yjs/bad-input', encoding.toUint8Array(e), CloseCode.MalformedMessage);
    });

    it('connections that leave before their document loads do not keep it in memory', async () => {
      for (let i = 0; i < 3; i++) {
        const raw = await rawSocket(server, '/yjs/fleeting');
        raw.ws.close();
        await raw.closed;
      }
      await waitFor(() => server.openDocuments === 0, 'the document to be unloaded');
    });

    it('an invalid document id → InvalidDocumentId', async () => {
      const raw = await rawSocket(server, '/yjs/..%2Fetc%2Fpasswd');
      expect((await raw.closed).code).toBe(CloseCode.InvalidDocumentId.code);
    });

    it('an update bomb or a corrupt update → UpdateRejected; stored state unchanged; others carry on', async () => {
      const writer = track(connect(server, 'target'));
      let writerClosed = false;
      writer.on('connection-close', () => {
        writerClosed = true;
      });
      const bystander = track(connect(server, 'elsewhere'));
      await Promise.all([synced(writer), synced(bystander)]);
      writer.doc.getText('content').insert(0, 'precious text');
      await waitFor(() => server.openDocuments === 2, 'both documents open');
      const raw0 = await rawSocket(server, '/yjs/target');
      raw0.ws.send(Uint8Array.of(100));
      await waitFor(() => raw0.received.length >= 2, 'the stored state');
      raw0.ws.close();

      for (const frame of [updateFrame(updateBomb()), updateFrame(updateWithForwardOrigin())]) {
        const raw = await rawSocket(server, '/yjs/target');
        raw.ws.send(frame);
        expect((await raw.closed).code).toBe(CloseCode.UpdateRejected.code);
      }

      // The writer on the same document and the bystander on another one never noticed.
      bystander.doc.getText('content').insert(0, 'still here');
      writer.doc.getText('content').insert(0, '+');
      expect(writerClosed).toBe(false);
      const check = track(connect(server, 'target'));
      const checkOther = track(connect(server, 'elsewhere'));
      await waitFor(
        () => check.doc.getText('content').toString() === '+precious text',
        'the target to resync',
      );
      await waitFor(
        () => checkOther.doc.getText('content').toString() === 'still here',
        'the bystander to sync',
      );
      const health = Health.parse(await (await fetch(`${server.url}/healthz`)).json());
      expect(health.status).toBe('ok');

      // What is stored holds exactly the real edits: nothing of the rejected updates.
      for (const p of providers.splice(0)) p.destroy();
      await server.close();
      server = await startTestServer({ dataDir: dir.dir });
      const reloaded = track(connect(server, 'target'));
      await synced(reloaded);
      expect(reloaded.doc.getText('content').toString()).toBe('+precious text');
      expect([...Y.decodeStateVector(Y.encodeStateVector(reloaded.doc)).keys()]).toEqual([
        writer.doc.clientID,
      ]);
    });
  });
});
