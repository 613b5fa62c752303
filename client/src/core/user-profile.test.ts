// Tests of the local user profile: a random first profile, corrupt ones replaced, names and colours checked.
import { describe, expect, it } from 'vitest';
import { MemoryStringStore } from './StringStore.js';
import { loadUserProfile, saveUserProfile, USER_PROFILE_KEY, validateUserName } from './user-profile.js';

describe('user profile', () => {
  it('creates and stores a random profile on first use, then keeps it', () => {
    const store = new MemoryStringStore();
    const first = loadUserProfile(store, () => 0);
    expect(first).toEqual({ name: 'Quiet Heron', color: '#d1453b' });
    expect(loadUserProfile(store, () => 0.99)).toEqual(first);
  });

  it('replaces a corrupt stored profile', () => {
    const store = new MemoryStringStore();
    store.setItem(USER_PROFILE_KEY, '{"name":"","color":"red"}');
    expect(loadUserProfile(store, () => 0).name).toBe('Quiet Heron');
    store.setItem(USER_PROFILE_KEY, 'nonsense');
    expect(loadUserProfile(store, () => 0).name).toBe('Quiet Heron');
  });

  it('validates names and refuses to save bad profiles', () => {
    expect(validateUserName('  ')).toBe('Name must not be empty');
    expect(validateUserName('x'.repeat(41))).toBe('Name must be at most 40 characters');
    const store = new MemoryStringStore();
    expect(() => saveUserProfile(store, { name: 'Ada', color: 'blue' })).toThrow(RangeError);
    saveUserProfile(store, { name: ' Ada ', color: '#123abc' });
    expect(loadUserProfile(store, Math.random)).toEqual({ name: 'Ada', color: '#123abc' });
  });
});
