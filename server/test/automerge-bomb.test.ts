// The composed process against decompression bombs on /automerge: the real bin refuses them without
// its memory growing by more than a fraction of what they would inflate to.
import { readFileSync } from 'node:fs';
import { next as A } from '@automerge/automerge';
import { cbor, Repo } from '@automerge/automerge-repo';
import { CloseCode } from '@symphony/schemas';
import {
  documentBomb,
  rawSocket,
  sendGranted,
  syncMessageWith,
  tempDir,
  waitFor,
} from '@symphony/sync-server/testing';
import { describe, expect, it } from 'vitest';
import { startBin, stopped } from '../src/testing.js';

const MiB = 1024 * 1024;
/** About 1 MiB on the wire, 1 GiB once inflated: the report's frames were 517 KB and 3 MB. */
const GIGABYTE_BOMB = syncMessageWith([documentBomb(1024 * MiB)]);

/** A fresh automerge document id, as a stock client makes one. */
const newDocumentId = () => new Repo({ network: [] }).create({}).documentId;

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
