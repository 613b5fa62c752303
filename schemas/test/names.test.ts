// Tests of userNameKey: the case-insensitive, NFKC-normalised key user names are unique by.
import { describe, expect, it } from 'vitest';
import { userNameKey } from '../src/names.js';

describe('userNameKey', () => {
  it('folds case', () => {
    expect(userNameKey('ALICE_T1')).toBe('alice_t1');
    expect(userNameKey('Alice_T1')).toBe(userNameKey('alice_t1'));
  });

  it('normalises compatibility look-alikes (NFKC)', () => {
    expect(userNameKey('ＡＬＩＣＥ＿ｔ１')).toBe('alice_t1');
    expect(userNameKey('ﬁona')).toBe('fiona');
    expect(userNameKey('ſam')).toBe('sam');
  });

  it('keeps different names apart', () => {
    expect(userNameKey('alice.t1')).not.toBe(userNameKey('alice_t1'));
    expect(userNameKey('bob')).not.toBe(userNameKey('bob2'));
  });

  it('is idempotent', () => {
    for (const name of ['ALICE', 'ＡＬＩＣＥ', 'Straße', 'ΣΊΣΥΦΟΣ', 'x@Y.z'])
      expect(userNameKey(userNameKey(name))).toBe(userNameKey(name));
  });
});
