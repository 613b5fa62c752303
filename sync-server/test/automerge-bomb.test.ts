import { readFileSync } from 'node:fs';
import { next as A } from '@automerge/automerge';
import { cbor, type DocumentId, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { CloseCode } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InflationBudget, readChunks } from '../src/automerge-chunk.js';
import type { Logger, SyncServer } from '../src/index.js';
import { startBin, stopped } from './bin-process.js';
import { documentBomb, syncMessageWith } from './crafted-chunks.js';
import { rawSocket, startTestServer, tempDir, waitFor } from './helpers.js';

const MiB = 1024 * 1024;
/** About 1 MiB on the wire, 1 GiB once inflated: the report's frames were 517 KB and 3 MB. */
const GIGABYTE_BOMB = syncMessageWith([documentBomb(1024 * MiB)]);

/** A fresh automerge document id, as a stock client makes one. */
const newDocumentId = () => new Repo({ network: [] }).create({}).documentId;

/** A raw `/automerge` socket that has joined and been granted `documentId` (a small `request` answered). */
async function grantedSocket(port: number, documentId: DocumentId) {
  const raw = await rawSocket({ port }, '/automerge');
  const senderId = `raw-${Math.random().toString(36).slice(2)}`;
  const send = (type: string, data: Uint8Array) =>
    raw.ws.send(cbor.encode({ type, senderId, targetId: 'symphony-sync-server', documentId, data }));
  raw.ws.send(cbor.encode({ type: 'join', senderId, peerMetadata: {}, supportedProtocolVersions: ['1'] }));
  const [, hello] = A.generateSyncMessage(A.init(), A.initSyncState());
  send('request', hello!);
  await waitFor(() => raw.received.length > 1, 'the server to answer the request');
  return { ...raw, send };
}

/** Sends `data` as a sync message for a document the socket was granted; how and how fast it was closed. */
async function sendGranted(port: number, documentId: DocumentId, data: Uint8Array) {
  const raw = await grantedSocket(port, documentId);
  const sentAt = performance.now();
  raw.send('sync', data);
  const closed = await raw.closed;
  return { code: closed.code, ms: performance.now() - sentAt };
}

describe('/automerge decompression bombs', () => {
  let dir: { dir: string; cleanup: () => Promise<void> };
  let server: SyncServer;
  const warnings: { msg: string; code?: unknown; detail?: unknown }[] = [];
  const logger: Logger = {
    info() {},
    warn: (msg, fields) => void warnings.push({ msg, ...fields }),
    error: (msg, fields) => void warnings.push({ msg, ...fields }),
  };

  beforeAll(async () => {
    dir = await tempDir('symphony-automerge-bomb-');
    server = await startTestServer({ dataDir: dir.dir }, { logger });
  });
  afterAll(async () => {
    await server.close();
    await dir.cleanup();
  });

  it('closes a frame whose chunk inflates to 1 GiB with 4424 within a second, logged once; others keep syncing', async () => {
    const adapters = [0, 1].map(
      () => new WebSocketClientAdapter(`ws://127.0.0.1:${server.port}/automerge`, 200),
    );
    const [a, b] = adapters.map((adapter) => new Repo({ network: [adapter] }));
    try {
      const mine = a!.create<{ items: string[] }>({ items: ['before'] });
      const theirs = await b!.find<{ items: string[] }>(mine.documentId);

      const { code, ms } = await sendGranted(server.port, newDocumentId(), GIGABYTE_BOMB);
      expect(code).toBe(CloseCode.AutomergeChunkTooCostly.code);
      expect(ms).toBeLessThan(1000);
      const refusals = warnings.filter((w) => w.code === CloseCode.AutomergeChunkTooCostly.code);
      expect(refusals).toEqual([
        {
          msg: `closing automerge connection: ${CloseCode.AutomergeChunkTooCostly.reason}`,
          code: CloseCode.AutomergeChunkTooCostly.code,
          remote: expect.any(String),
          detail: expect.stringMatching(/inflates past the frame's budget of 67108864 bytes/),
        },
      ]);

      mine.change((d) => void d.items.push('after'));
      await waitFor(() => theirs.doc().items.includes('after'), 'the stock clients to keep syncing');
    } finally {
      await a!.shutdown();
      await b!.shutdown();
    }
  });

  it('lets a stock client send a real document whose deflated columns inflate to MiB', async () => {
    const items = Array.from({ length: 2000 }, (_, i) => `${i} ${Math.random().toString(36)} `.repeat(40));
    const inflated = await new InflationBudget(64 * MiB).measure(
      readChunks(A.save(A.from({ items })))[0]!.deflated,
    );
    expect(inflated).toBeGreaterThan(MiB);
    const [a, b] = [0, 1].map(
      () =>
        new Repo({ network: [new WebSocketClientAdapter(`ws://127.0.0.1:${server.port}/automerge`, 200)] }),
    );
    try {
      const mine = a!.create<{ items: string[] }>({ items });
      const theirs = await b!.find<{ items: string[] }>(mine.documentId);
      await waitFor(() => theirs.doc().items.length === 2000, 'the document to reach the other client');
      expect(warnings.filter((w) => w.msg.startsWith('closing automerge connection'))).toHaveLength(1);
    } finally {
      await a!.shutdown();
      await b!.shutdown();
    }
  });
});

describe('/automerge decompression bombs against the real bin', () => {
  /** The child's resident memory, from /proc. */
  const rssOf = (pid: number) =>
    Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

  it('refuses bombs without its memory growing by more than a fraction of what they inflate to', async () => {
    const cwd = await tempDir('symphony-automerge-bomb-bin-');
    const bin = await startBin(cwd.dir, ['--storage', 'fs']);
    try {
      const port = Number(new URL(bin.origin).port);
      const pid = bin.child.pid!;
      // Warm up: a valid document, so the baseline includes Automerge and one synced document.
      const doc = A.save(A.from({ items: ['warm'] }));
      const warm = await rawSocket({ port }, '/automerge');
      warm.ws.send(
        cbor.encode({ type: 'join', senderId: 'warm', peerMetadata: {}, supportedProtocolVersions: ['1'] }),
      );
      warm.ws.send(
        cbor.encode({
          type: 'sync',
          senderId: 'warm',
          targetId: 'symphony-sync-server',
          documentId: newDocumentId(),
          data: syncMessageWith([doc]),
        }),
      );
      await waitFor(() => warm.received.length > 1, 'the warm-up document');
      const before = rssOf(pid);

      for (let i = 0; i < 3; i++) {
        const { code, ms } = await sendGranted(port, newDocumentId(), GIGABYTE_BOMB);
        expect(code).toBe(CloseCode.AutomergeChunkTooCostly.code);
        expect(ms).toBeLessThan(2000);
      }
      const grown = rssOf(pid) - before;
      // Three bombs of 1 GiB each; the budget lets each inflate 64 MiB, counted and dropped.
      expect(grown, `RSS ${before} bytes before, grew by ${grown}`).toBeLessThan(200 * MiB);
      expect(bin.child.exitCode).toBeNull();
      expect((await fetch(`${bin.origin}/healthz`)).status).toBe(200);
      warm.ws.close();
    } finally {
      bin.child.kill('SIGTERM');
      await stopped(bin.child);
      await cwd.cleanup();
    }
  }, 30_000);
});
