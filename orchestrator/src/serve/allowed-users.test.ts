import { describe, expect, it } from 'vitest';
import { anyMember, onlyUsers } from './allowed-users.js';

const exp = 2_000_000_000;
const ada = { userId: '0c5e6c1a-ada', userName: 'ada', exp };
const bob = { userId: '7f2d44b0-bob', userName: 'bob', exp };

describe('who an orchestrator runs workflows for', () => {
  it('lets every member in by default', () => {
    expect(anyMember.allows(bob)).toBe(true);
  });

  it('matches the signed-in user by id and the allowed users by name, never a name against an id', () => {
    const users = onlyUsers({ session: { userId: ada.userId, userName: 'ada' }, names: ['bob'] });
    expect(users.allows(ada)).toBe(true);
    expect(users.allows(bob)).toBe(true);
    expect(users.described).toBe('ada and bob');
    // Someone else who signed up as "ada" elsewhere, or is named like ada's id, is not ada.
    expect(users.allows({ userId: 'u-other', userName: 'carol', exp })).toBe(false);
    expect(users.allows({ userId: 'u-other', userName: ada.userId, exp })).toBe(false);
    expect(onlyUsers({ names: [ada.userId] }).allows(ada)).toBe(false);
  });

  it('names the users it answers in its messages', () => {
    expect(onlyUsers({ names: ['bob'] }).described).toBe('bob');
    expect(
      onlyUsers({ session: { userId: 'u', userName: 'ada' }, names: ['ada', 'bob', 'cy'] }).described,
    ).toBe('ada, bob and cy');
  });
});
