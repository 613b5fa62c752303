// Tests of OFB's business rules: Document size, quotas from config, keeping an owner, and name validation.
import { describe, expect, it } from 'vitest';
import {
  checkDocumentSize,
  checkKeepsOwner,
  checkQuota,
  defaultRules,
  Name,
  RulesConfig,
  UserName,
} from './rules.js';

describe('rules', () => {
  it('limits document size', () => {
    expect(checkDocumentSize(defaultRules, defaultRules.maxDocumentBytes)).toBeNull();
    expect(checkDocumentSize(defaultRules, defaultRules.maxDocumentBytes + 1)?.code).toBe(
      'document_too_large',
    );
  });
  it('enforces quotas from config', () => {
    const rules = RulesConfig.parse({ maxDocumentsPerWorkspace: 2 });
    expect(checkQuota('maxDocumentsPerWorkspace', rules, 1)).toBeNull();
    expect(checkQuota('maxDocumentsPerWorkspace', rules, 2)?.details).toEqual({
      quota: 'maxDocumentsPerWorkspace',
      limit: 2,
      current: 2,
    });
    expect(() => RulesConfig.parse({ maxDocumentBytes: -1 })).toThrow();
  });
  it('keeps at least one owner', () => {
    expect(checkKeepsOwner('owner', 'editor', 1)?.code).toBe('last_owner');
    expect(checkKeepsOwner('owner', null, 1)?.code).toBe('last_owner');
    expect(checkKeepsOwner('owner', 'editor', 2)).toBeNull();
    expect(checkKeepsOwner('editor', null, 1)).toBeNull();
  });
  it('validates names', () => {
    expect(Name.parse('  Team  ')).toBe('Team');
    expect(Name.safeParse('   ').success).toBe(false);
    expect(Name.safeParse('x'.repeat(201)).success).toBe(false);
    expect(UserName.safeParse('alice@example.com').success).toBe(true);
    expect(UserName.safeParse('a b').success).toBe(false);
  });
});
