// Convergence of /yjs under faults: seeded random schedules of edits, disconnects, IndexedDB reloads and
// server restarts must leave every replica and the server's storage with the same text.
import 'fake-indexeddb/auto';
import type { DocumentId } from '@symphony/schemas';
import * as prng from 'lib0/prng';
import { describe, expect, it } from 'vitest';
import { IndexeddbPersistence } from 'y-indexeddb';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { FsDocumentPersistence, type SyncServer } from '../src/index.js';
import { connect, startTestServer, tempDir, waitFor } from '../src/testing.js';

/**
 * Convergence under faults, the way Yjs tests itself: replicas driven by a seeded random schedule
 * through the real sync-server — random edits, disconnects and reconnects, offline periods that
 * reload the document from IndexedDB, and server restarts — must end with identical text on every
 * replica and in the server's storage.
 *
 * CONVERGENCE_SEEDS (default 200) sets how many seeds run, CONVERGENCE_SEED the first one;
 * CONVERGENCE_STEPS (default 40) the schedule's length. A failure names its seed so it can be replayed.
 */
const SEEDS = Number(process.env.CONVERGENCE_SEEDS ?? 200);
const FIRST_SEED = Number(process.env.CONVERGENCE_SEED ?? 1);
const STEPS = Number(process.env.CONVERGENCE_STEPS ?? 40);
const REPLICAS = 5;
const DOCUMENT = 'converge' as DocumentId;

class Replica {
  doc = new Y.Doc();
  idb: IndexeddbPersistence;
  provider: WebsocketProvider | undefined;
  online = true;

  constructor(
    readonly storeName: string,
    private server: () => SyncServer,
  ) {
    this.idb = new IndexeddbPersistence(storeName, this.doc);
  }

  get text(): string {
    return this.doc.getText('content').toString();
  }

  async start(): Promise<void> {
    await this.idb.whenSynced;
    if (this.online) this.provider = connect(this.server(), DOCUMENT, this.doc);
  }

  setOnline(online: boolean): void {
    this.online = online;
    if (online) {
      if (this.provider) this.provider.connect();
      else this.provider = connect(this.server(), DOCUMENT, this.doc);
    } else this.provider?.disconnect();
  }

  /** Closes the "tab" and opens it again: everything the replica knows must come from IndexedDB. */
  async reload(): Promise<void> {
    this.provider?.destroy();
    this.provider = undefined;
    await this.idb.destroy();
    this.doc.destroy();
    this.doc = new Y.Doc();
    this.idb = new IndexeddbPersistence(this.storeName, this.doc);
    await this.start();
  }

  destroy(): void {
    if (this.doc.isDestroyed) return;
    this.provider?.destroy();
    void this.idb.destroy();
    this.doc.destroy();
  }
}

async function runSchedule(seed: number): Promise<void> {
  const gen = prng.create(seed);
  const data = await tempDir('symphony-converge-');
  let server = await startTestServer({ dataDir: data.dir });
  const port = server.port;
  const replicas = Array.from(
    { length: REPLICAS },
    (_, i) => new Replica(`seed-${seed}-replica-${i}`, () => server),
  );
  try {
    await Promise.all(replicas.map((r) => r.start()));
    for (let step = 0; step < STEPS; step++) {
      const roll = prng.real53(gen);
      const replica = prng.oneOf(gen, replicas);
      if (roll < 0.6) {
        const text = replica.doc.getText('content');
        if (text.length > 0 && prng.real53(gen) < 0.3) {
          const at = prng.uint32(gen, 0, text.length - 1);
          text.delete(at, Math.min(text.length - at, prng.uint32(gen, 1, 3)));
        } else {
          const chars = Array.from({ length: prng.uint32(gen, 1, 4) }, () =>
            prng.oneOf(gen, [...'abcdefgh \n']),
          );
          text.insert(prng.uint32(gen, 0, text.length), chars.join(''));
        }
      } else if (roll < 0.75) {
        replica.setOnline(!replica.online);
      } else if (roll < 0.83) {
        await replica.reload();
      } else if (roll < 0.87) {
        await server.close();
        server = await startTestServer({ dataDir: data.dir, port });
      } else {
        await new Promise((r) => setTimeout(r, prng.uint32(gen, 0, 14)));
      }
    }

    for (const r of replicas) if (!r.online) r.setOnline(true);
    await waitFor(
      () => replicas.every((r) => r.provider?.synced && r.text === replicas[0]!.text),
      'every replica to hold the same text',
      15_000,
    );
    // The last edits may still be on their way to storage: the server must have what replicas have.
    const expected = replicas[0]!.text;
    const observer = connect(server, DOCUMENT);
    await waitFor(() => observer.doc.getText('content').toString() === expected, 'the server to hold it too');
    observer.destroy();
    for (const r of replicas) r.destroy();
    await server.close();

    const stored = new Y.Doc();
    const persistence = new FsDocumentPersistence(data.dir);
    for (const update of await persistence.load(DOCUMENT)) Y.applyUpdate(stored, update);
    await persistence.close();
    expect(stored.getText('content').toString()).toBe(expected);
  } catch (error) {
    throw new Error(
      `convergence failed for seed ${seed}; replay with CONVERGENCE_SEED=${seed} CONVERGENCE_SEEDS=1\n${String(error)}\n` +
        replicas
          .map((r, i) => `  replica ${i} (${r.online ? 'online' : 'offline'}): ${JSON.stringify(r.text)}`)
          .join('\n'),
    );
  } finally {
    for (const r of replicas) r.destroy();
    await server.close().catch(() => {});
    await data.cleanup();
  }
}

describe.sequential('convergence under faults through the real sync-server', () => {
  for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
    it(`seed ${seed}`, () => runSchedule(seed), 60_000);
  }
});
