// Tests of /yjs Document size: an edit that would make a Document too large closes only its author (4414)
// and is never relayed or stored; the other peers keep editing.
import { CloseCode } from '@symphony/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { SyncServer } from '../src/index.js';
import { connect, startTestServer, synced, tempDir, waitFor } from '../src/testing.js';

describe('/yjs: an edit that would make a document too large', () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function start(): Promise<SyncServer> {
    const data = await tempDir();
    const server = await startTestServer({ dataDir: data.dir });
    cleanups.push(data.cleanup, () => server.close());
    return server;
  }

  function open(server: SyncServer, doc = new Y.Doc()): WebsocketProvider {
    const provider = connect(server, 'big-paste', doc);
    cleanups.push(() => provider.destroy());
    return provider;
  }

  it('closes only its author, with 4414, and never relays or stores it (an 11 MiB paste)', async () => {
    const server = await start();
    const author = open(server);
    const peer = open(server);
    await Promise.all([synced(author), synced(peer)]);
    author.doc.getText('content').insert(0, 'kept ');
    await waitFor(() => peer.doc.getText('content').toString() === 'kept ', 'the first edit to arrive');

    const authorCloses: number[] = [];
    author.on('connection-close', (event) => {
      if (event) authorCloses.push(event.code);
    });
    let peerClosed = false;
    peer.on('connection-close', () => {
      peerClosed = true;
    });
    author.doc.getText('content').insert(5, 'x'.repeat(11 * 1024 * 1024));
    await waitFor(() => authorCloses.length > 0, 'the author to be closed', 15_000);
    expect(authorCloses[0]).toBe(CloseCode.DocumentTooLarge.code);
    author.shouldConnect = false;
    author.disconnect();

    // The peer keeps its session and its document, and goes on editing with a newcomer.
    peer.doc.getText('content').insert(5, 'still here');
    const late = open(server);
    await synced(late);
    await waitFor(() => late.doc.getText('content').toString() === 'kept still here', 'the newcomer to sync');
    expect(peerClosed).toBe(false);
    expect(peer.wsconnected).toBe(true);
    expect(peer.doc.getText('content').length).toBe('kept still here'.length);
  }, 30_000);
});
