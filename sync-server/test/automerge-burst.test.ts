// Issue 11's scenario: four stock automerge-repo clients editing one Workflow at full speed through a
// server authorized by OFB keep every connection open and converge (several changes in one sync entry).
import { next as A } from '@automerge/automerge';
import { type DocHandle, type DocumentId, type PeerId, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { instantiateTemplate, type Workflow, WorkflowTemplates } from '@symphony/schemas';
import * as prng from 'lib0/prng';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OfbAccessControl } from '../src/access/OfbAccessControl.js';
import { ChunkType, readChunks } from '../src/automerge/automerge-chunk.js';
import { MemoryAutomergeStorage, MemoryDocumentPersistence, type SyncServer } from '../src/index.js';
import { randomGesture, startTestServer, waitFor } from '../src/testing.js';
import { createDocument, serviceToken, startTeam, stopOfb, type Team } from './ofb.js';

/** The stock client adapter, recording every close code and the sync data it sends. */
class RecordingAdapter extends WebSocketClientAdapter {
  readonly closes: number[] = [];
  readonly sent: Uint8Array[] = [];
  override connect(...args: Parameters<WebSocketClientAdapter['connect']>): void {
    super.connect(...args);
    this.socket?.addEventListener('close', (e) => this.closes.push(e.code));
  }
  override send(message: Parameters<WebSocketClientAdapter['send']>[0]): void {
    if ((message.type === 'sync' || message.type === 'request') && 'data' in message && message.data)
      this.sent.push(message.data);
    super.send(message);
  }
}

/** How many entries of the clients' sync data held each form of chunks. */
function chunkForms(sent: readonly Uint8Array[]): Record<string, number> {
  const forms: Record<string, number> = {};
  for (const data of sent) {
    for (const entry of A.decodeSyncMessage(data).changes) {
      const types = readChunks(entry).map((c) => c.type);
      const form =
        types.length === 1
          ? ChunkTypeName[types[0]!]
          : types.every((t) => t === ChunkType.change)
            ? 'changes back to back'
            : types.map((t) => ChunkTypeName[t]).join(' + ');
      forms[form] = (forms[form] ?? 0) + 1;
    }
  }
  return forms;
}

const ChunkTypeName = { 0: 'document', 1: 'change', 2: 'compressed change' } as const;

/**
 * Issue 11's scenario: four stock automerge-repo clients co-edit one registered workflow through
 * a server that asks a real OFB, each making 1–4 random board gestures every ~100 ms. Their v2
 * sync messages carry several changes back to back in one entry, which `decodeChange` alone
 * refused (4423, "leftover data after parsing"). Every frame must pass the server's checks: no
 * connection is closed, and all converge. BURST_SEED replays a schedule.
 */
describe('four stock clients editing one workflow at full speed', () => {
  let team: Team;
  let server: SyncServer;

  beforeAll(async () => {
    team = await startTeam();
    server = await startTestServer(
      {},
      {
        persistence: new MemoryDocumentPersistence(),
        automergeStorage: new MemoryAutomergeStorage(),
        access: new OfbAccessControl({
          url: team.ofb.url,
          anonKey: 'anon',
          serviceToken: await serviceToken(),
        }),
      },
    );
  });
  afterAll(async () => {
    await server.close();
    await stopOfb();
  });

  it('keeps every connection open and converges', async () => {
    const offline = new Repo({ network: [] });
    const draft = offline.create<Workflow>(instantiateTemplate(WorkflowTemplates[0]!, 'Burst'));
    await createDocument(team.ofb.url, team.owner, team.workspaceId, draft.documentId, 'workflow');
    const url = `ws://127.0.0.1:${server.port}/automerge?token=${encodeURIComponent(team.editor.token)}`;
    const clients = Array.from({ length: 4 }, () => {
      const adapter = new RecordingAdapter(url, 200);
      return { adapter, repo: new Repo({ network: [adapter] }) };
    });
    const first = clients[0]!.repo.import<Workflow>(A.save(draft.doc()), { docId: draft.documentId });
    const handles: DocHandle<Workflow>[] = [first];
    for (const c of clients.slice(1))
      handles.push(await c.repo.find<Workflow>(draft.documentId as DocumentId));

    const gen = prng.create(Number(process.env.BURST_SEED ?? 11));
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      for (const handle of handles) {
        const n = prng.uint32(gen, 1, 4);
        for (let i = 0; i < n; i++) handle.change(randomGesture(handle.doc(), gen));
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const sameHeads = () => {
      const heads = handles.map((h) => JSON.stringify([...h.heads()].sort()));
      const server = clients[0]!.repo.peerMetadataByPeerId['symphony-sync-server' as PeerId]?.storageId;
      const theirs = server && handles[0]!.getSyncInfo(server)?.lastHeads;
      return (
        heads.every((h) => h === heads[0]) && !!theirs && JSON.stringify([...theirs].sort()) === heads[0]
      );
    };
    try {
      await waitFor(sameHeads, 'every client and the server to hold the same heads', 15_000);
    } finally {
      for (const c of clients) await c.repo.shutdown();
    }
    expect(clients.flatMap((c) => c.adapter.closes)).toEqual([]);
    // What made the issue: several changes back to back in one entry of a v2 sync message.
    const forms = chunkForms(clients.flatMap((c) => c.adapter.sent));
    expect(forms, JSON.stringify(forms)).toHaveProperty('changes back to back');
  }, 40_000);
});
