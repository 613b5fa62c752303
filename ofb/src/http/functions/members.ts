// Members and invitations: invite-member, accept-invitation, decline-invitation, change-role,
// remove-member, list-members and list-invitations.
import { randomUUID } from 'node:crypto';
import { OfbErrorCode, type Role } from '@symphony/schemas';
import { checkKeepsOwner, checkQuota } from '../../domain/rules.js';
import { ConflictError, type OfbStore } from '../../OfbStore.js';
import type { Handlers, OfbContext } from '../context.js';
import { OfbError, ruleError } from '../errors.js';
import { authorize, requireUser } from '../guards.js';
import { workspaceOrThrow } from '../lookups.js';

/** The functions this group answers. */
export type MemberFunctionName =
  | 'invite-member'
  | 'accept-invitation'
  | 'decline-invitation'
  | 'change-role'
  | 'remove-member'
  | 'list-members'
  | 'list-invitations';

/** The member functions under the app's rules (`maxMembersPerWorkspace`, the last owner). */
export function memberFunctions(ctx: OfbContext): Handlers<MemberFunctionName> {
  const { rules } = ctx;
  return {
    'invite-member': async ({ workspaceId, userId: givenId, userName, role }, { claims, store }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        await workspaceOrThrow(tx, workspaceId);
        let userId = givenId;
        if (userId === undefined) {
          const invitee = userName === undefined ? null : await tx.findUserByName(userName);
          if (!invitee)
            throw new OfbError(404, 'not_found', OfbErrorCode.userNotFound, `no user named "${userName}"`);
          userId = invitee.id;
        }
        const who = userName ?? userId;
        await authorize(tx, caller, workspaceId, 'invite', 'member', userId);
        if (await tx.getMember(workspaceId, userId))
          throw new OfbError(409, 'conflict', OfbErrorCode.alreadyMember, `${who} is already a member`);
        await tx.lockQuota(`members:${workspaceId}`);
        const over = checkQuota(
          'maxMembersPerWorkspace',
          rules,
          (await tx.listMembers(workspaceId)).length + (await tx.countInvitations(workspaceId)),
        );
        if (over) throw ruleError(over);
        try {
          return {
            invitation: await tx.createInvitation({
              id: randomUUID(),
              workspaceId,
              inviteeId: userId,
              role,
              invitedBy: caller.sub,
            }),
          };
        } catch (error) {
          if (error instanceof ConflictError)
            throw new OfbError(409, 'conflict', OfbErrorCode.alreadyInvited, `${who} is already invited`);
          throw error;
        }
      });
    },
    'accept-invitation': async ({ invitationId }, { claims, store }) => {
      const { sub } = requireUser(claims);
      return store.transaction(async (tx) => {
        const invitation = await ownInvitationOrThrow(tx, invitationId, sub);
        await tx.deleteInvitation(invitationId);
        const member = { workspaceId: invitation.workspaceId, userId: sub, role: invitation.role };
        await tx.putMember(member);
        await tx.appendAudit({
          actor: sub,
          action: 'accept-invitation',
          resourceKind: 'member',
          resourceId: sub,
          workspaceId: invitation.workspaceId,
          allowed: true,
          reason: 'invited',
        });
        return { member };
      });
    },
    'decline-invitation': async ({ invitationId }, { claims, store }) => {
      const { sub } = requireUser(claims);
      return store.transaction(async (tx) => {
        const invitation = await ownInvitationOrThrow(tx, invitationId, sub);
        await tx.deleteInvitation(invitationId);
        await tx.appendAudit({
          actor: sub,
          action: 'decline-invitation',
          resourceKind: 'member',
          resourceId: sub,
          workspaceId: invitation.workspaceId,
          allowed: true,
          reason: 'invited',
        });
        return { declined: { invitationId, workspaceId: invitation.workspaceId } };
      });
    },
    'change-role': async ({ workspaceId, userId, role }, { claims, store }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        await authorize(tx, caller, workspaceId, 'change-role', 'member', userId);
        await checkMemberChange(tx, workspaceId, userId, role);
        const member = { workspaceId, userId, role };
        await tx.putMember(member);
        return { member };
      });
    },
    'remove-member': async ({ workspaceId, userId }, { claims, store }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        await authorize(tx, caller, workspaceId, 'remove-member', 'member', userId);
        await checkMemberChange(tx, workspaceId, userId, null);
        await tx.removeMember(workspaceId, userId);
        return { removed: { workspaceId, userId } };
      });
    },
    'list-members': async ({ workspaceId }, { claims, store }) => {
      const caller = requireUser(claims);
      await workspaceOrThrow(store, workspaceId);
      await authorize(store, caller, workspaceId, 'read', 'member', workspaceId, { auditAllowed: false });
      const members = await store.listNamedMembers(workspaceId);
      const invitations = await store.listSentInvitations(workspaceId);
      return {
        members: members.map(({ userId, name, role }) => ({ userId, name, role })),
        invitations: invitations.map(({ id, inviteeId, inviteeName, role }) => ({
          id,
          inviteeId,
          inviteeName,
          role,
        })),
      };
    },
    'list-invitations': async (_input, { claims, store }) => {
      const { sub } = requireUser(claims);
      const invitations = await store.listReceivedInvitations(sub);
      return {
        invitations: invitations.map(({ id, workspaceId, workspaceName, role, invitedBy, inviterName }) => ({
          id,
          workspaceId,
          workspaceName,
          role,
          invitedBy,
          inviterName,
        })),
      };
    },
  };
}

/**
 * The pending invitation `invitationId` addressed to `userId`; an invitation to someone else is
 * answered as missing, so nobody learns which invitations exist.
 */
async function ownInvitationOrThrow(tx: OfbStore, invitationId: string, userId: string) {
  const invitation = await tx.getInvitation(invitationId);
  if (!invitation || invitation.inviteeId !== userId)
    throw new OfbError(
      404,
      'not_found',
      OfbErrorCode.invitationNotFound,
      `no invitation ${invitationId} for you`,
    );
  return invitation;
}

/**
 * Checks that `userId` is a member of the workspace and that giving them `role` (null: removing
 * them) leaves the workspace an owner.
 */
async function checkMemberChange(tx: OfbStore, workspaceId: string, userId: string, role: Role | null) {
  const target = await tx.getMember(workspaceId, userId);
  if (!target)
    throw new OfbError(
      404,
      'not_found',
      OfbErrorCode.memberNotFound,
      `${userId} is not a member of ${workspaceId}`,
    );
  const owners = (await tx.listMembers(workspaceId)).filter((m) => m.role === 'owner').length;
  const violation = checkKeepsOwner(target.role, role, owners);
  if (violation) throw ruleError(violation);
}
