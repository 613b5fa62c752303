// Tests of the invitee's side of invitations: list-invitations names the inviter, decline-invitation
// turns one down (only the invitee's own, audited, idempotent), and an unknown invitee is refused.
import { OfbErrorCode } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOfb, type TestOfb, type TestUser } from '../src/testing.js';

let ofb: TestOfb;
beforeAll(async () => {
  ofb = await startTestOfb({ serve: false });
}, 30_000);
afterAll(() => ofb?.close());

/** `owner` invites `invitee` by name to a new workspace named `name`; answers the invitation's id. */
async function invite(owner: TestUser, invitee: TestUser, name: string) {
  const { workspace } = await ofb.ok('create-workspace', { name }, owner.token);
  const { invitation } = await ofb.ok(
    'invite-member',
    { workspaceId: workspace.id, userName: invitee.name, role: 'editor' },
    owner.token,
  );
  return { workspaceId: workspace.id, invitationId: invitation.id };
}

describe('invitations, as the invitee sees them', () => {
  it("lists each invitation with the workspace's and the inviter's names", async () => {
    const alice = await ofb.signUp();
    const bob = await ofb.signUp();
    const { workspaceId, invitationId } = await invite(alice, bob, 'Garden');
    const { invitations } = await ofb.ok('list-invitations', {}, bob.token);
    expect(invitations).toEqual([
      {
        id: invitationId,
        workspaceId,
        workspaceName: 'Garden',
        role: 'editor',
        invitedBy: alice.id,
        inviterName: alice.name,
      },
    ]);
  });

  it('declines an invitation: it is gone for both sides and the invitee is no member', async () => {
    const alice = await ofb.signUp();
    const bob = await ofb.signUp();
    const { workspaceId, invitationId } = await invite(alice, bob, 'Declined');
    const answer = await ofb.ok('decline-invitation', { invitationId }, bob.token);
    expect(answer).toEqual({ declined: { invitationId, workspaceId } });
    expect((await ofb.ok('list-invitations', {}, bob.token)).invitations).toEqual([]);
    const members = await ofb.ok('list-members', { workspaceId }, alice.token);
    expect(members.invitations).toEqual([]);
    expect(members.members.map((m) => m.name)).toEqual([alice.name]);
    expect((await ofb.call('list-documents', { workspaceId }, bob.token)).status).toBe(403);
    // Accepting what was declined is refused; the owner may invite again.
    const late = await ofb.call('accept-invitation', { invitationId }, bob.token);
    expect([late.status, late.body.error.code]).toEqual([404, OfbErrorCode.invitationNotFound]);
    await ofb.ok('invite-member', { workspaceId, userName: bob.name, role: 'viewer' }, alice.token);

    const audit = await ofb.store.listAudit({ workspaceId });
    expect(audit.filter((a) => a.action === 'decline-invitation')).toMatchObject([
      { actor: bob.id, resourceKind: 'member', resourceId: bob.id, allowed: true },
    ]);
  });

  it("refuses to decline someone else's invitation or one that does not exist", async () => {
    const alice = await ofb.signUp();
    const bob = await ofb.signUp();
    const mallory = await ofb.signUp();
    const { invitationId } = await invite(alice, bob, 'Private');
    for (const [id, token] of [
      [invitationId, mallory.token],
      [invitationId, alice.token],
      ['no-such-invitation', bob.token],
    ] as const) {
      const reply = await ofb.call('decline-invitation', { invitationId: id }, token);
      expect(reply.status).toBe(404);
      expect(reply.body.error.code).toBe(OfbErrorCode.invitationNotFound);
    }
    // Still there for Bob.
    expect((await ofb.ok('list-invitations', {}, bob.token)).invitations).toHaveLength(1);
    expect((await ofb.call('decline-invitation', { invitationId }, '')).status).toBe(401);
  });

  it('answers a replayed decline with its first answer (idempotency key)', async () => {
    const alice = await ofb.signUp();
    const bob = await ofb.signUp();
    const { invitationId } = await invite(alice, bob, 'Replayed');
    const key = `decline-${invitationId}`;
    const first = await ofb.call('decline-invitation', { invitationId }, bob.token, { key });
    const second = await ofb.call('decline-invitation', { invitationId }, bob.token, { key });
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    // Without the key the invitation is gone: a 404.
    expect((await ofb.call('decline-invitation', { invitationId }, bob.token)).status).toBe(404);
  });

  it('tells the inviter at once that no user has the name they typed', async () => {
    const alice = await ofb.signUp();
    const { workspace } = await ofb.ok('create-workspace', { name: 'Lonely' }, alice.token);
    const reply = await ofb.call(
      'invite-member',
      { workspaceId: workspace.id, userName: 'nobody-here', role: 'editor' },
      alice.token,
    );
    expect(reply.status).toBe(404);
    expect(reply.body.error).toMatchObject({ code: OfbErrorCode.userNotFound, category: 'not_found' });
    expect(reply.body.error.message).toContain('nobody-here');
  });
});
