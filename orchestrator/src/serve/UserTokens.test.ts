import { describe, expect, it } from 'vitest';
import { UserTokens } from './UserTokens.js';

describe('UserTokens', () => {
  it('keeps the token that expires last, never answers an expired one, and forgets a revoked one', () => {
    let now = 1_000_000;
    const tokens = new UserTokens(() => now);
    const presented: string[] = [];
    tokens.onPresent((user) => presented.push(user));
    tokens.present({ userId: 'u1', userName: 'ada', exp: 2000 }, 'fresh');
    tokens.present({ userId: 'u1', userName: 'ada', exp: 1500 }, 'stale');
    expect(tokens.tokenOf('ada')).toBe('fresh');
    expect(presented).toEqual(['ada', 'ada']);
    now = 2_000_000;
    expect(tokens.tokenOf('ada')).toBeUndefined();
    tokens.present({ userId: 'u1', userName: 'ada', exp: 1000 }, 'past');
    expect(tokens.tokenOf('ada')).toBeUndefined();
    tokens.present({ userId: 'u1', userName: 'ada', exp: 3000 }, 'later');
    expect(tokens.tokenOf('ada')).toBe('later');
    tokens.revoke('later');
    expect(tokens.tokenOf('ada')).toBeUndefined();
    expect(tokens.tokenOf('bob')).toBeUndefined();
  });
});
