// Tests of the composed process: the bin with OFB embedded (sign up, sync both endpoints, restart) and
// with --ofb-url against a remote OFB.
import { next as A } from '@automerge/automerge';
import { type PeerId, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { freshName, startTestOfb, type TestOfb } from '@symphony/ofb/testing';
import { CloseCode, instantiateTemplate, type Workflow, WorkflowTemplates } from '@symphony/schemas';
import { connect, rawSocket, synced, tempDir, waitFor } from '@symphony/sync-server/testing';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { startBin, stopped } from '../src/testing.js';

/** supabase-js at the bin's own origin, as the client uses it. */
function supabase(origin: string, token?: string): SupabaseClient {
  return createClient(origin, 'anon', {
    ...(token ? { global: { headers: { Authorization: `Bearer ${token}` } } } : {}),
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

async function invoke<T>(client: SupabaseClient, fn: string, body: Record<string, unknown>): Promise<T> {
  const { data, error } = await client.functions.invoke(fn, { body });
  if (error) throw new Error(`${fn}: ${error.message}`);
  return data as T;
}

describe('the bin with OFB embedded (the product default)', () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    // Every cleanup runs even if one fails, so no server process outlives the test.
    const results = [];
    for (const c of cleanups.splice(0).reverse())
      results.push(
        await Promise.resolve()
          .then(c)
          .then(
            () => undefined,
            (e: unknown) => e,
          ),
      );
    const failed = results.find((r) => r !== undefined);
    if (failed) throw failed;
  });

  it('serves OFB on its own origin: sign up, create a workspace and a document, sync it with the token; it survives a restart', async () => {
    const cwd = await tempDir('symphony-bin-');
    cleanups.push(cwd.cleanup);
    let bin = await startBin(cwd.dir);
    cleanups.push(async () => {
      bin.child.kill('SIGTERM');
      await stopped(bin.child);
    });

    const session = await invoke<{ access_token: string; user: { name: string } }>(
      supabase(bin.origin),
      'sign-up',
      {
        name: 'ada',
        password: 'correct horse battery',
      },
    );
    const ada = supabase(bin.origin, session.access_token);
    const { workspace } = await invoke<{ workspace: { id: string } }>(ada, 'create-workspace', {
      name: 'Lab',
    });
    const documentId = 'notes-1';
    await invoke(ada, 'create-document', {
      workspaceId: workspace.id,
      id: documentId,
      kind: 'document',
      title: 'Notes',
    });

    expect(
      (await (await rawSocket({ port: Number(new URL(bin.origin).port) }, `/yjs/${documentId}`)).closed).code,
    ).toBe(CloseCode.Unauthenticated.code);

    const provider = (origin: string) =>
      new WebsocketProvider(`${origin.replace('http', 'ws')}/yjs`, documentId, new Y.Doc(), {
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
        params: { token: session.access_token },
      });
    const writer = provider(bin.origin);
    const reader = provider(bin.origin);
    cleanups.push(() => {
      writer.destroy();
      reader.destroy();
    });
    await Promise.all([synced(writer), synced(reader)]);
    writer.doc.getText('content').insert(0, 'stored through OFB');
    await waitFor(
      () => reader.doc.getText('content').toString() === 'stored through OFB',
      'the reader to see it',
    );
    writer.awareness.setLocalStateField('user', { name: 'someone else' });
    await waitFor(
      () => [...reader.awareness.getStates().values()].some((s) => s.user?.name === 'ada'),
      'presence under the signed-in name',
    );

    // Automerge with the same token: a workflow registered in OFB syncs through the same origin and
    // is stored in OFB (which keeps only valid workflows).
    const repo = new Repo({
      network: [
        new WebSocketClientAdapter(
          `${bin.origin.replace('http', 'ws')}/automerge?token=${session.access_token}`,
          200,
        ),
      ],
    });
    let repoOpen = true;
    cleanups.push(() => repoOpen && repo.shutdown());
    const workflow = instantiateTemplate(WorkflowTemplates[0]!, 'Stored');
    const offline = new Repo({ network: [] }).create<Workflow>(workflow);
    await invoke(ada, 'create-document', {
      workspaceId: workspace.id,
      id: offline.documentId,
      kind: 'workflow',
      title: 'Stored',
    });
    const handle = repo.import<Workflow>(A.save(offline.doc()), { docId: offline.documentId });
    await waitFor(() => {
      const storageId = repo.peerMetadataByPeerId['symphony-sync-server' as PeerId]?.storageId;
      return !!storageId && !!handle.getSyncInfo(storageId)?.lastHeads;
    }, 'the server to hold the workflow');

    writer.destroy();
    reader.destroy();
    repoOpen = false;
    await repo.shutdown();
    bin.child.kill('SIGTERM');
    expect(await stopped(bin.child)).toBe(0);

    const firstOutput = bin.output;
    bin = await startBin(cwd.dir);
    const again = provider(bin.origin);
    cleanups.push(() => again.destroy());
    await synced(again);
    expect(again.doc.getText('content').toString()).toBe('stored through OFB');
    const after = new Repo({
      network: [
        new WebSocketClientAdapter(
          `${bin.origin.replace('http', 'ws')}/automerge?token=${session.access_token}`,
          200,
        ),
      ],
    });
    cleanups.push(() => after.shutdown());
    const stored = await after.find<Workflow>(offline.documentId).catch((error: unknown) => {
      throw new Error(`${String(error)}; the bin logged:\n${[...firstOutput, ...bin.output].join('')}`);
    });
    expect(stored.doc().name).toBe('Stored');
    expect(Object.keys(stored.doc().nodes).sort()).toEqual(Object.keys(workflow.nodes).sort());
  }, 60_000);

  it('with --ofb-url, authorizes and stores through a remote OFB', async () => {
    const cwd = await tempDir('symphony-bin-remote-');
    cleanups.push(cwd.cleanup);
    const ofb = await startTestOfb();
    cleanups.push(() => ofb.close());
    const bin = await startBin(cwd.dir, ['--ofb-url', ofb.url], {
      SUPABASE_SERVICE_ROLE_KEY: await ofb.serviceToken(),
      SUPABASE_ANON_KEY: 'anon',
    });
    cleanups.push(async () => {
      bin.child.kill('SIGTERM');
      await stopped(bin.child);
    });
    const port = Number(new URL(bin.origin).port);
    // OFB's functions are not mounted here: the client talks to the remote OFB.
    expect((await fetch(`${bin.origin}/functions/v1/sign-up`, { method: 'POST' })).status).toBe(404);
    const owner = await ofb.signUp(freshName('remote'));
    const workspaceId = await ofb.createWorkspace(owner);
    const documentId = freshName('doc');
    await ofb.ok(
      'create-document',
      { workspaceId, id: documentId, kind: 'document', title: documentId },
      owner.token,
    );
    expect((await (await rawSocket({ port }, `/yjs/${documentId}?token=garbage`)).closed).code).toBe(
      CloseCode.Unauthenticated.code,
    );
    const writer = connect({ port }, documentId, new Y.Doc(), owner.token);
    cleanups.push(() => writer.destroy());
    await synced(writer);
    writer.doc.getText('content').insert(0, 'remote');
    const { updates } = await storedUpdates(ofb, documentId);
    expect(updates.length).toBeGreaterThan(0);
  }, 60_000);
});

/** Loads a document's stored updates from OFB until there are some (the server stores within ms). */
async function storedUpdates(ofb: TestOfb, documentId: string): Promise<{ updates: string[] }> {
  const token = await ofb.serviceToken();
  for (let i = 0; i < 100; i++) {
    const answer = await ofb.ok('load-document', { documentId }, token);
    if (answer.updates.length > 0) return answer;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { updates: [] };
}
