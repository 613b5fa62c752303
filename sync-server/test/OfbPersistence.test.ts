import { createOfbApp, defaultRules, listen, PgliteStore, TokenService } from '@symphony/ofb';
import type { DocumentId } from '@symphony/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { OfbFunctionError } from '../src/ofb-functions.js';
import { runDocumentPersistenceTests } from '../src/persistence/acceptance.js';
import { OfbPersistence } from '../src/persistence/OfbPersistence.js';

/** The document ids the acceptance suite writes to; each fixture creates them in OFB first. */
const suiteDocuments = ['doc', 'one', 'two'];
const secret = 'sync-server-test-secret-at-least-32-chars';
const tokens = new TokenService(secret);

interface Ofb {
  url: string;
  store: PgliteStore;
  close(): Promise<void>;
}

/** One in-memory OFB for the whole file (PGlite takes seconds to start); fixtures reset their documents. */
let ofb: Promise<Ofb> | undefined;
const startOfb = (): Promise<Ofb> => {
  ofb ??= (async () => {
    const store = await PgliteStore.open('memory://');
    const server = await listen(createOfbApp({ store, tokens, rules: defaultRules, authRateLimit: false }));
    return {
      url: server.url,
      store,
      close: async () => {
        await server.close();
        await store.close();
      },
    };
  })();
  return ofb;
};
afterAll(async () => {
  await (await ofb)?.close();
});

async function call(url: string, name: string, body: unknown, token: string) {
  const res = await fetch(`${url}/functions/v1/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${name}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A user signs up, creates a workspace and the suite's documents, all through OFB's functions. */
async function seed(url: string): Promise<{ ownerToken: string; workspaceId: string }> {
  const name = `owner-${Math.random().toString(36).slice(2, 10)}`;
  const session = await fetch(`${url}/functions/v1/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: 'password123' }),
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  const ownerToken = session.access_token;
  const { workspace } = (await call(url, 'create-workspace', { name: 'Sync' }, ownerToken)) as {
    workspace: { id: string };
  };
  for (const id of suiteDocuments)
    await call(
      url,
      'create-document',
      { workspaceId: workspace.id, id, kind: 'document', title: id },
      ownerToken,
    );
  return { ownerToken, workspaceId: workspace.id };
}

const serviceToken = () => tokens.sign({ sub: 'sync-server', role: 'service_role' });

runDocumentPersistenceTests('OfbPersistence', async () => {
  const { url } = await startOfb();
  const { ownerToken } = await seed(url);
  const open = async () => new OfbPersistence({ url, anonKey: 'anon', serviceToken: await serviceToken() });
  return {
    persistence: await open(),
    reopen: open,
    // Deleting the documents removes their stored updates (on delete cascade).
    cleanup: async () => {
      for (const id of suiteDocuments) await call(url, 'delete-document', { documentId: id }, ownerToken);
    },
  };
});

describe('OfbPersistence against OFB rules', () => {
  it('is refused for a document OFB does not know and for a token without the service role', async () => {
    const { url } = await startOfb();
    const { ownerToken } = await seed(url);
    try {
      const persistence = new OfbPersistence({ url, anonKey: 'anon', serviceToken: await serviceToken() });
      await expect(
        persistence.append('not-created' as DocumentId, [new Uint8Array([0, 0])]),
      ).rejects.toMatchObject({
        name: 'OfbFunctionError',
        status: 404,
        code: 'document_not_found',
      });
      const stranger = await tokens.sign({ sub: 'stranger' });
      const asStranger = new OfbPersistence({ url, anonKey: 'anon', serviceToken: stranger });
      const refused = asStranger.append('doc' as DocumentId, [new Uint8Array([1])]);
      await expect(refused).rejects.toBeInstanceOf(OfbFunctionError);
      await expect(refused).rejects.toMatchObject({
        status: 403,
        category: 'forbidden',
        code: 'service_role_only',
      });
      // Bytes that are not a Yjs update never reach storage, even from the service role.
      await expect(persistence.append('doc' as DocumentId, [new Uint8Array([1])])).rejects.toMatchObject({
        status: 422,
        code: 'invalid_update',
      });
      await expect(asStranger.load('doc' as DocumentId)).rejects.toMatchObject({ status: 403 });
      await asStranger.close();
      await persistence.close();
    } finally {
      for (const id of suiteDocuments) await call(url, 'delete-document', { documentId: id }, ownerToken);
    }
  });
});
