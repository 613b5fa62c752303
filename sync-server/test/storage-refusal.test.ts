// Tests of /yjs when OFB will not store changes: 4413 with OFB's code when refused for good, 1011 and a
// stored resend after an outage, and batches carrying their writers for OFB's audit.
import { CloseCode } from '@symphony/schemas';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { OfbAccessControl } from '../src/access/OfbAccessControl.js';
import { type SyncServer, silentLogger } from '../src/index.js';
import { OfbPersistence } from '../src/persistence/OfbPersistence.js';
import { connect, startTestServer, synced, waitFor } from '../src/testing.js';
import {
  call,
  createDocument,
  freshId,
  type Ofb,
  OfbOutage,
  serviceToken,
  signUp,
  startOfb,
  stopOfb,
  type User,
  workspaceWith,
} from './ofb.js';

/** How the server closed a stock provider's socket (the first close it saw). */
function closes(provider: WebsocketProvider): { code: number; reason: string }[] {
  const seen: { code: number; reason: string }[] = [];
  provider.on('connection-close', (event) => {
    if (event) seen.push({ code: event.code, reason: event.reason });
  });
  return seen;
}

describe('/yjs when OFB will not store the changes', () => {
  let ofb: Ofb;
  let owner: User;
  let workspaceId: string;
  let server: SyncServer | undefined;
  const providers: WebsocketProvider[] = [];
  /** While `outage.down`, every request to OFB fails as a network error. */
  const outage = new OfbOutage();

  beforeAll(async () => {
    ofb = await startOfb();
    owner = await signUp(ofb.url, 'owner');
    workspaceId = await workspaceWith(ofb.url, owner);
  });
  afterAll(stopOfb);
  afterEach(async () => {
    outage.down = false;
    for (const p of providers.splice(0)) p.destroy();
    await server?.close();
    server = undefined;
  });

  async function start(): Promise<SyncServer> {
    const serviceRole = await serviceToken();
    server = await startTestServer(
      {},
      {
        persistence: new OfbPersistence({
          url: ofb.url,
          anonKey: 'anon',
          serviceToken: serviceRole,
          fetch: outage.fetch,
        }),
        logger: silentLogger,
        access: new OfbAccessControl({ url: ofb.url, anonKey: 'anon', serviceToken: serviceRole }),
        // No re-check during the test: the document's deletion must be noticed by storage.
        authorization: { authRecheckMs: 60_000 },
      },
    );
    return server;
  }

  async function editing(documentId: string): Promise<{ doc: Y.Doc; provider: WebsocketProvider }> {
    const doc = new Y.Doc();
    const provider = connect(server!, documentId, doc, owner.token);
    providers.push(provider);
    await synced(provider);
    return { doc, provider };
  }

  it('closes with 4413 and OFB code when OFB refuses for good (the document was deleted)', async () => {
    const documentId = freshId();
    await createDocument(ofb.url, owner, workspaceId, documentId);
    await start();
    const { doc, provider } = await editing(documentId);
    const seen = closes(provider);
    doc.getText('t').insert(0, 'stored');
    await waitFor(() => server!.openDocuments === 1, 'the document');
    await call(ofb.url, 'delete-document', { documentId }, owner.token);
    doc.getText('t').insert(0, 'refused ');
    await waitFor(() => seen.length > 0, 'the close');
    expect(seen[0]).toEqual({ code: CloseCode.StorageRefused.code, reason: 'document_not_found' });
  });

  it('closes with 1011 when OFB is unreachable, and the resent edit is stored after it is back', async () => {
    const documentId = freshId();
    await createDocument(ofb.url, owner, workspaceId, documentId);
    await start();
    const { doc, provider } = await editing(documentId);
    const seen = closes(provider);
    outage.down = true;
    doc.getText('t').insert(0, 'during the outage');
    await waitFor(() => seen.length > 0, 'the close');
    expect(seen[0]!.code).toBe(CloseCode.PersistenceFailed.code);
    outage.down = false;
    await waitFor(() => provider.synced && provider.wsconnected, 'the reconnect');
    const reader = new OfbPersistence({ url: ofb.url, anonKey: 'anon', serviceToken: await serviceToken() });
    const text = async () => {
      const copy = new Y.Doc();
      for (const update of await reader.load(documentId as never)) Y.applyUpdate(copy, update);
      return copy.getText('t').toString();
    };
    const started = Date.now();
    while ((await text()) !== 'during the outage' && Date.now() - started < 5000)
      await new Promise((r) => setTimeout(r, 50));
    expect(await text()).toBe('during the outage');
  });

  it('passes the writers of each batch, so OFB audits the user who wrote and not only the service', async () => {
    const documentId = freshId();
    await createDocument(ofb.url, owner, workspaceId, documentId);
    await start();
    const { doc } = await editing(documentId);
    doc.getText('t').insert(0, 'written by the owner');
    const writes = async () =>
      (await ofb.store.listAudit({ workspaceId })).filter(
        // The sync-server's batches (create-document's own write row is the owner's, 'allowed').
        (a) => a.resourceId === documentId && a.action === 'write' && a.reason !== 'allowed',
      );
    const started = Date.now();
    while ((await writes()).length === 0 && Date.now() - started < 5000)
      await new Promise((r) => setTimeout(r, 50));
    expect((await writes()).map((a) => [a.actor, a.reason])).toEqual([[owner.id, 'via service_role']]);
  });
});
