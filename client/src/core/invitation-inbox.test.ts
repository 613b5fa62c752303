// Tests of the invitation inbox (polling while active, backoff, arrivals, Accept and Decline) and of
// the words for refused invitations.
import { OfbErrorCode } from '@symphony/schemas';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvitationInbox, type InvitationInboxOptions, type ReceivedInvitation } from './invitation-inbox.js';
import { type CallFailure, invitationFailureText, inviteRefusalText } from './invite-refusal.js';

const invitation = (id: string, workspaceName = `Space ${id}`): ReceivedInvitation => ({
  id,
  workspaceId: `ws-${id}`,
  workspaceName,
  role: 'editor',
  invitedBy: 'u-alice',
  inviterName: 'Alice',
});

/** A failure as the directory reports it: a thrown `{ code, message }`, or unreachable. */
class Failure extends Error {
  constructor(readonly code: string | null) {
    super(code ?? 'offline');
  }
}

describe('InvitationInbox', () => {
  let server: ReceivedInvitation[];
  let listCalls: number;
  let failing: boolean;
  let active: boolean;
  let timers: { run: () => void; ms: number }[];
  let accepted: string[];
  let declined: string[];
  let afterAccept: string[];
  let answerFails: string | null | undefined;

  beforeEach(() => {
    server = [];
    listCalls = 0;
    failing = false;
    active = true;
    timers = [];
    accepted = [];
    declined = [];
    afterAccept = [];
    answerFails = undefined;
  });

  const answerOrFail = async (list: string[], id: string) => {
    if (answerFails !== undefined) throw new Failure(answerFails);
    list.push(id);
    server = server.filter((s) => s.id !== id);
  };

  const makeInbox = (overrides: Partial<InvitationInboxOptions> = {}) =>
    new InvitationInbox({
      list: async () => {
        listCalls++;
        if (failing) throw new Failure(null);
        return [...server];
      },
      accept: (i) => answerOrFail(accepted, i.id),
      decline: (i) => answerOrFail(declined, i.id),
      onAccepted: (i) => {
        afterAccept.push(i.id);
      },
      failure: (error) =>
        ({ code: (error as Failure).code, message: (error as Failure).message }) satisfies CallFailure,
      isActive: () => active,
      setTimer: (run, ms) => {
        const t = {
          run: () => {
            timers = timers.filter((x) => x !== t);
            run();
          },
          ms,
        };
        timers.push(t);
        return t;
      },
      clearTimer: (t) => {
        timers = timers.filter((x) => x !== t);
      },
      ...overrides,
    });

  /** Fires the one pending poll timer and waits for the list it asks for. */
  const tick = async (inbox: InvitationInbox) => {
    expect(timers).toHaveLength(1);
    timers[0]!.run();
    await inbox.refresh();
  };

  it('shows an invitation made after the start within one poll, and says it arrived', async () => {
    server = [invitation('a')];
    const inbox = makeInbox();
    await inbox.start();
    expect(inbox.invitations.map((i) => i.id)).toEqual(['a']);
    // The first list is what was there already: nothing "arrived".
    expect(inbox.arrived).toEqual([]);
    expect(timers.map((t) => t.ms)).toEqual([10_000]);

    server = [invitation('a'), invitation('b', 'Garden')];
    await tick(inbox);
    expect(inbox.invitations.map((i) => i.id)).toEqual(['a', 'b']);
    expect(inbox.arrived.map((i) => [i.workspaceName, i.inviterName])).toEqual([['Garden', 'Alice']]);
    await tick(inbox);
    expect(inbox.arrived).toEqual([]);
  });

  it('does not ask while the page is hidden or offline, and asks at once when poked', async () => {
    const inbox = makeInbox();
    await inbox.start();
    expect(listCalls).toBe(1);
    active = false;
    timers[0]!.run();
    expect(listCalls).toBe(1);
    expect(timers.map((t) => t.ms)).toEqual([10_000]);
    inbox.poke();
    expect(listCalls).toBe(1);
    active = true;
    server = [invitation('a')];
    inbox.poke();
    await inbox.refresh();
    expect(listCalls).toBe(2);
    expect(inbox.invitations).toHaveLength(1);
  });

  it('backs off while OFB fails, keeping the list, and returns to 10 s once it answers', async () => {
    server = [invitation('a')];
    const inbox = makeInbox();
    await inbox.start();
    failing = true;
    await tick(inbox);
    expect(timers.map((t) => t.ms)).toEqual([20_000]);
    await tick(inbox);
    await tick(inbox);
    await tick(inbox);
    expect(timers.map((t) => t.ms)).toEqual([60_000]);
    expect(inbox.invitations.map((i) => i.id)).toEqual(['a']);
    failing = false;
    await tick(inbox);
    expect(timers.map((t) => t.ms)).toEqual([10_000]);
  });

  it('stops polling when stopped', async () => {
    const inbox = makeInbox();
    await inbox.start();
    inbox.stop();
    expect(timers).toEqual([]);
    await inbox.refresh();
    expect(timers).toEqual([]);
  });

  it('accepts: the invitation leaves the list, then the workspace is listed', async () => {
    server = [invitation('a'), invitation('b')];
    const inbox = makeInbox();
    await inbox.start();
    expect(await inbox.accept('a')).toEqual({ ok: true });
    expect(accepted).toEqual(['a']);
    expect(afterAccept).toEqual(['a']);
    expect(inbox.invitations.map((i) => i.id)).toEqual(['b']);
  });

  it('declines: the invitation leaves the list and a list asked for before does not bring it back', async () => {
    server = [invitation('a')];
    let release: () => void = () => {};
    const stale = [invitation('a')];
    const inbox = makeInbox({
      list: () => new Promise((resolve) => (release = () => resolve(stale))),
    });
    const first = inbox.start();
    release();
    await first;
    // A poll is under way (it read the list before the decline) when the person declines.
    timers[0]!.run();
    expect(await inbox.decline('a')).toEqual({ ok: true });
    expect(declined).toEqual(['a']);
    expect(afterAccept).toEqual([]);
    release();
    await inbox.refresh();
    expect(inbox.invitations).toEqual([]);
  });

  it('keeps an invitation whose answer could not be sent, saying why', async () => {
    server = [invitation('a')];
    const inbox = makeInbox();
    await inbox.start();
    answerFails = null;
    const answer = await inbox.accept('a');
    expect(answer).toEqual({
      ok: false,
      message: 'The server cannot be reached. Try again once you are online.',
    });
    expect(inbox.invitations.map((i) => i.id)).toEqual(['a']);
    expect(inbox.failureOf('a')).toMatch(/cannot be reached/);
    expect(inbox.isAnswering('a')).toBe(false);
    answerFails = undefined;
    expect(await inbox.accept('a')).toEqual({ ok: true });
    expect(inbox.failureOf('a')).toBeNull();
  });

  it('drops an invitation OFB no longer has (withdrawn, or answered in another tab)', async () => {
    server = [invitation('a')];
    const inbox = makeInbox();
    await inbox.start();
    answerFails = OfbErrorCode.invitationNotFound;
    const answer = await inbox.decline('a');
    expect(answer).toMatchObject({ ok: false, message: expect.stringMatching(/no longer open/) });
    expect(inbox.invitations).toEqual([]);
  });
});

describe('inviteRefusalText', () => {
  it("names the unknown user, and says OFB's other refusals in a person's words", () => {
    const said = (code: string | null, message = 'x') => inviteRefusalText({ code, message }, 'bob');
    expect(said(OfbErrorCode.userNotFound)).toBe(
      'No user named “bob”. Check the spelling: it is the name they sign in with.',
    );
    expect(said(OfbErrorCode.alreadyMember)).toBe('bob is already a member of this workspace.');
    expect(said(OfbErrorCode.alreadyInvited)).toMatch(/^bob is already invited/);
    expect(said(OfbErrorCode.roleTooLow)).toBe('Only an owner of this workspace can invite people.');
    // A code nobody anticipated is still said, in OFB's words.
    expect(said('something_new', 'the moon is full')).toBe('The moon is full.');
  });

  it('tells the invitee whether a failed answer can be tried again', () => {
    expect(invitationFailureText({ code: null, message: 'offline' })).toMatchObject({ gone: false });
    expect(invitationFailureText({ code: OfbErrorCode.invitationNotFound, message: 'x' })).toMatchObject({
      gone: true,
    });
    expect(invitationFailureText({ code: 'quota_exceeded', message: 'too many' })).toEqual({
      message: 'Too many.',
      gone: false,
    });
  });
});
