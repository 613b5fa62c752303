import { describe, expect, it } from 'vitest';
import { UserTokens } from './UserTokens.js';

describe('UserTokens', () => {
  it('keeps the token that expires last, never answers an expired one, and forgets a revoked one', () => {
    let now = 1_000_000;
    const tokens = new UserTokens(() => now);
    const presented: string[] = [];
    tokens.onPresent((user) => presented.push(user.userName));
    tokens.present({ userId: 'u1', userName: 'ada', exp: 2000 }, 'fresh');
    tokens.present({ userId: 'u1', userName: 'ada', exp: 1500 }, 'stale');
    expect(tokens.tokenOf('u1')).toBe('fresh');
    expect(presented).toEqual(['ada', 'ada']);
    now = 2_000_000;
    expect(tokens.tokenOf('u1')).toBeUndefined();
    tokens.present({ userId: 'u1', userName: 'ada', exp: 1000 }, 'past');
    expect(tokens.tokenOf('u1')).toBeUndefined();
    tokens.present({ userId: 'u1', userName: 'ada', exp: 3000 }, 'later');
    expect(tokens.tokenOf('u1')).toBe('later');
    tokens.revoke('later');
    expect(tokens.tokenOf('u1')).toBeUndefined();
    expect(tokens.tokenOf('u2')).toBeUndefined();
  });

  it('holds tokens by user id: a user going by another’s name (or id) never replaces their token', () => {
    const tokens = new UserTokens(() => 1_000_000);
    tokens.present({ userId: 'u1', userName: 'ada', exp: 2000 }, 'ada-token');
    // OFB names a user it has no name for by their id, and a sign-in name may look like an id.
    tokens.present({ userId: 'u2', userName: 'ada', exp: 9000 }, 'impostor');
    tokens.present({ userId: 'u3', userName: 'u1', exp: 9000 }, 'named-like-an-id');
    expect(tokens.tokenOf('u1')).toBe('ada-token');
    expect(tokens.tokenOf('u2')).toBe('impostor');
    expect(tokens.userNamed('ada')).toBeUndefined();
    expect(tokens.userNamed('u1')).toEqual({ userId: 'u3', userName: 'u1' });
    tokens.revoke('impostor');
    expect(tokens.userNamed('ada')).toEqual({ userId: 'u1', userName: 'ada' });
    expect(tokens.userNamed('nobody')).toBeUndefined();
  });
});
