// Words for invitations that did not go through: OFB's refusal of an invite (by its code) for the
// inviter, and a failed Accept or Decline for the invitee.
import { OfbErrorCode } from '@symphony/schemas';
import { sentence } from './sentence.js';

/** A failed OFB call as these words need it: OFB's code and message, or `code: null` (unreachable). */
export interface CallFailure {
  readonly code: string | null;
  readonly message: string;
}

/**
 * What the Members dialog tells the inviter when OFB refused to invite `name`, from OFB's code
 * (its own words for any code not named here).
 */
export function inviteRefusalText(refusal: CallFailure, name: string): string {
  switch (refusal.code) {
    case OfbErrorCode.userNotFound:
      return `No user named “${name}”. Check the spelling: it is the name they sign in with.`;
    case OfbErrorCode.alreadyMember:
      return `${name} is already a member of this workspace.`;
    case OfbErrorCode.alreadyInvited:
      return `${name} is already invited; they can accept from their workspace switcher.`;
    case OfbErrorCode.quotaExceeded:
      return 'This workspace has reached its member limit; remove someone first.';
    case OfbErrorCode.roleTooLow:
    case OfbErrorCode.notAMember:
      return 'Only an owner of this workspace can invite people.';
    case OfbErrorCode.workspaceNotFound:
      return 'This workspace is not on the server (any more).';
    default:
      return sentence(refusal.message.trim() || 'the server refused it');
  }
}

/**
 * What the invitee is told when Accept or Decline failed; `gone` when OFB no longer has the
 * invitation (withdrawn, or answered in another tab), so it should leave the list.
 */
export function invitationFailureText(failure: CallFailure): { message: string; gone: boolean } {
  if (failure.code === null)
    return { message: 'The server cannot be reached. Try again once you are online.', gone: false };
  if (failure.code === OfbErrorCode.invitationNotFound)
    return {
      message: 'This invitation is no longer open: it was withdrawn or already answered.',
      gone: true,
    };
  return { message: sentence(failure.message.trim() || 'the server refused it'), gone: false };
}
