// Tests of /automerge against decompression bombs: a chunk inflating to 1 GiB is closed with 4424 within
// a second and logged once, while stock clients, and real documents with MiB-sized columns, keep syncing.
import { next as A } from '@automerge/automerge';
import { Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { CloseCode } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InflationBudget, readChunks } from '../src/automerge/automerge-chunk.js';
import type { Logger, SyncServer } from '../src/index.js';
import {
  documentBomb,
  sendGranted,
  startTestServer,
  syncMessageWith,
  tempDir,
  waitFor,
} from '../src/testing.js';

const MiB = 1024 * 1024;
/** About 1 MiB on the wire, 1 GiB once inflated: the report's frames were 517 KB and 3 MB. */
const GIGABYTE_BOMB = syncMessageWith([documentBomb(1024 * MiB)]);

/** A fresh automerge document id, as a stock client makes one. */
const newDocumentId = () => new Repo({ network: [] }).create({}).documentId;

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
