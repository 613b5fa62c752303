// Tests of /yjs access while OFB is unreachable: a connection rides out a short outage, and is closed
// with 4503 once its last authorization is older than maxStaleMs.
import { CloseCode } from '@symphony/schemas';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import { OfbAccessControl } from '../src/access/OfbAccessControl.js';
import { MemoryDocumentPersistence, type SyncServer, silentLogger } from '../src/index.js';
import { connect, startTestServer, synced, waitFor } from '../src/testing.js';
import {
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

describe('access while OFB is unreachable', () => {
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

  it('keeps a connection through a short outage, and closes it with 4503 once its access is too old', async () => {
    const documentId = freshId();
    await createDocument(ofb.url, owner, workspaceId, documentId);
    server = await startTestServer(
      {},
      {
        persistence: new MemoryDocumentPersistence(),
        logger: silentLogger,
        access: new OfbAccessControl({
          url: ofb.url,
          anonKey: 'anon',
          serviceToken: await serviceToken(),
          fetch: outage.fetch,
        }),
        authorization: { authRecheckMs: 100, cacheMs: 0, maxStaleMs: 1500 },
      },
    );
    const provider = connect(server, documentId, undefined, owner.token);
    providers.push(provider);
    const closes: number[] = [];
    provider.on('connection-close', (event) => {
      if (event) closes.push(event.code);
    });
    await synced(provider);
    outage.down = true;
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 700));
    expect(closes).toEqual([]);
    await waitFor(() => closes.length > 0, 'the close');
    expect(closes[0]).toBe(CloseCode.AuthorizationUnavailable.code);
    expect(Date.now() - downAt).toBeLessThan(4000);
  });
});
