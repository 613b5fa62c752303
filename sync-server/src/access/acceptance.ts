// The acceptance suite every AccessControl adapter runs (runAccessControlTests): grants, refusals as
// answers, and authorizeMany answering as authorize does.
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessCheck, AccessControl, DenialReason } from './AccessControl.js';

/** What one run of {@link runAccessControlTests} works with. */
export interface AccessControlFixture {
  readonly access: AccessControl;
  /** A check the adapter must grant, and the role it must grant. */
  readonly granted: AccessCheck & { readonly role: string };
  /** Checks the adapter must refuse, and why (none for an adapter that refuses nothing). */
  readonly refused: readonly (AccessCheck & { readonly reason: DenialReason })[];
  cleanup?(): Promise<void>;
}

/**
 * The behaviour every {@link AccessControl} adapter shares: grants carry who and until when,
 * refusals are answers (never rejections), and `authorizeMany` answers exactly as `authorize`
 * would, in order.
 */
export function runAccessControlTests(name: string, setup: () => Promise<AccessControlFixture>): void {
  describe(`AccessControl acceptance: ${name}`, () => {
    let fixture: AccessControlFixture | undefined;
    const open = async () => {
      fixture = await setup();
      return fixture;
    };
    afterEach(async () => {
      await fixture?.cleanup?.();
      fixture = undefined;
    });

    it('grants a check with the role, the user and an expiry in the future', async () => {
      const { access, granted } = await open();
      const answer = await access.authorize(granted.token, granted.resourceId);
      expect(answer).toMatchObject({ ok: true, role: granted.role });
      if (!answer.ok) throw new Error('refused');
      expect(answer.userId).toMatch(/.+/);
      expect(answer.userName).toMatch(/.+/);
      expect(['document', 'workflow', 'workspace']).toContain(answer.kind);
      expect(answer.exp * 1000).toBeGreaterThan(Date.now());
    });

    it('refuses with a reason, without throwing', async () => {
      const { access, refused } = await open();
      for (const check of refused) {
        await expect(access.authorize(check.token, check.resourceId)).resolves.toMatchObject({
          ok: false,
          reason: check.reason,
        });
      }
    });

    it('answers authorizeMany in order, as authorize answers each, repeats included', async () => {
      const { access, granted, refused } = await open();
      const checks = [granted, ...refused, granted, ...refused.slice().reverse()];
      const many = await access.authorizeMany(checks);
      expect(many).toHaveLength(checks.length);
      const one = await Promise.all(checks.map((c) => access.authorize(c.token, c.resourceId)));
      const essence = (a: (typeof many)[number]) =>
        a.ok ? { ok: true, role: a.role, userId: a.userId } : { ok: false, reason: a.reason };
      expect(many.map(essence)).toEqual(one.map(essence));
      expect(await access.authorizeMany([])).toEqual([]);
    });
  });
}
