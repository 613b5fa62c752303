// Tests of OfbAccessControl against a real in-memory OFB: the access-control acceptance suite,
// the user and kind it names, and `unavailable` when OFB is unreachable or authorize-many is refused.
import { afterAll, describe, expect, it } from 'vitest';
import { runAccessControlTests } from '../src/access/acceptance.js';
import { OfbAccessControl } from '../src/access/OfbAccessControl.js';
import {
  createDocument,
  freshId,
  serviceToken,
  signUp,
  startOfb,
  stopOfb,
  tokens,
  workspaceWith,
} from './ofb.js';

afterAll(stopOfb);

runAccessControlTests('OfbAccessControl', async () => {
  const { url } = await startOfb();
  const owner = await signUp(url, 'owner');
  const viewer = await signUp(url, 'viewer');
  const stranger = await signUp(url, 'stranger');
  const workspaceId = await workspaceWith(url, owner, [{ user: viewer, role: 'viewer' }]);
  const documentId = freshId();
  await createDocument(url, owner, workspaceId, documentId);
  const expired = await tokens.sign({ sub: viewer.id }, 0);
  return {
    access: new OfbAccessControl({ url, anonKey: 'anon', serviceToken: await serviceToken() }),
    granted: { token: viewer.token, resourceId: documentId, role: 'viewer' },
    refused: [
      { token: '', resourceId: documentId, reason: 'unauthenticated' },
      { token: 'not-a-jwt', resourceId: documentId, reason: 'unauthenticated' },
      { token: expired, resourceId: documentId, reason: 'expired' },
      { token: stranger.token, resourceId: documentId, reason: 'forbidden' },
      { token: viewer.token, resourceId: freshId('missing'), reason: 'unknown' },
    ],
  };
});

describe('OfbAccessControl against OFB', () => {
  it('names the user and the kind: a workspace index is kind workspace, with the sign-in name', async () => {
    const { url } = await startOfb();
    const owner = await signUp(url, 'owner');
    const workspaceId = await workspaceWith(url, owner);
    const access = new OfbAccessControl({ url, anonKey: 'anon', serviceToken: await serviceToken() });
    await expect(access.authorize(owner.token, `workspace-${workspaceId}`)).resolves.toMatchObject({
      ok: true,
      role: 'owner',
      kind: 'workspace',
      workspaceId,
      userId: owner.id,
      userName: owner.name,
    });
  });

  it('answers unavailable when OFB cannot be reached, or authorize-many is refused', async () => {
    const { url } = await startOfb();
    const owner = await signUp(url, 'owner');
    const down = new OfbAccessControl({ url: 'http://127.0.0.1:9', anonKey: 'anon', serviceToken: 'x' });
    await expect(down.authorize(owner.token, 'doc')).resolves.toMatchObject({
      ok: false,
      reason: 'unavailable',
    });
    await expect(down.authorizeMany([{ token: owner.token, resourceId: 'doc' }])).resolves.toMatchObject([
      { ok: false, reason: 'unavailable' },
    ]);
    // authorize-many is for the service role only: a user's token as the service token is refused.
    const misconfigured = new OfbAccessControl({ url, anonKey: 'anon', serviceToken: owner.token });
    await expect(
      misconfigured.authorizeMany([{ token: owner.token, resourceId: 'doc' }]),
    ).resolves.toMatchObject([{ ok: false, reason: 'unavailable' }]);
  });
});
