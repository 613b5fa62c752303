// Tests of OfbPersistence, the /yjs Document store in OFB: the persistence acceptance suite against a
// real OFB, and its refusals (unknown document, token without the service role, bytes not an update).
import type { DocumentId } from '@symphony/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { runDocumentPersistenceTests } from '../src/persistence/acceptance.js';
import { StorageRefusedError } from '../src/persistence/DocumentPersistence.js';
import { OfbPersistence } from '../src/persistence/OfbPersistence.js';
import { call, createDocument, serviceToken, signUp, startOfb, stopOfb, tokens } from './ofb.js';

/** The document ids the acceptance suite writes to; each fixture creates them in OFB first. */
const suiteDocuments = ['doc', 'one', 'two'];

// One in-memory OFB for the whole file (PGlite takes seconds to start); fixtures reset their documents.
afterAll(stopOfb);

/** A user signs up, creates a workspace and the suite's documents, all through OFB's functions. */
async function seed(url: string): Promise<{ ownerToken: string; workspaceId: string }> {
  const owner = await signUp(url, 'owner');
  const { workspace } = await call<{ workspace: { id: string } }>(
    url,
    'create-workspace',
    { name: 'Sync' },
    owner.token,
  );
  for (const id of suiteDocuments) await createDocument(url, owner, workspace.id, id);
  return { ownerToken: owner.token, workspaceId: workspace.id };
}

runDocumentPersistenceTests('OfbPersistence', async () => {
  const { url } = await startOfb();
  const { ownerToken } = await seed(url);
  const open = async () => new OfbPersistence({ url, anonKey: 'anon', serviceToken: await serviceToken() });
  return {
    persistence: await open(),
    reopen: open,
    // Deleting the documents moves them to the trash; purging it removes their stored updates (on
    // delete cascade).
    cleanup: async () => {
      for (const id of suiteDocuments) await call(url, 'delete-document', { documentId: id }, ownerToken);
      await (await startOfb()).store.purgeTrash(new Date(Date.now() + 60_000).toISOString());
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
        name: 'StorageRefusedError',
        status: 404,
        code: 'document_not_found',
      });
      const stranger = await tokens.sign({ sub: 'stranger' });
      const asStranger = new OfbPersistence({ url, anonKey: 'anon', serviceToken: stranger });
      const refused = asStranger.append('doc' as DocumentId, [new Uint8Array([1])]);
      await expect(refused).rejects.toBeInstanceOf(StorageRefusedError);
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
      await (await startOfb()).store.purgeTrash(new Date(Date.now() + 60_000).toISOString());
    }
  });
});
