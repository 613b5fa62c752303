// Tests of OFB's wire contract in schemas: the limits, the idempotent set and the answer schemas' keys.
import { describe, expect, it } from 'vitest';
import {
  IdempotencyKey,
  idempotentOfbFunctions,
  OfbAuthorizeMany,
  OfbAutomergeSave,
  OfbCreateWorkspace,
  OfbLimits,
  OfbPersistUpdates,
  OfbRequests,
  OfbResponses,
} from '../src/index.js';

// OFB's wire contract in one place: every function has a request and an answer schema, the
// idempotent functions are functions, and the request schemas hold the limits `OfbLimits` names.

describe('the OFB wire contract', () => {
  it('has an answer schema for every function, and no other', () => {
    expect(Object.keys(OfbResponses).sort()).toEqual(Object.keys(OfbRequests).sort());
  });

  it('names only functions as idempotent, mutations all', () => {
    for (const fn of idempotentOfbFunctions) expect(Object.hasOwn(OfbRequests, fn), fn).toBe(true);
    expect(idempotentOfbFunctions.has('list-workspaces')).toBe(false);
    expect(IdempotencyKey.safeParse('key-12345').success).toBe(true);
  });

  it('holds the request schemas to OfbLimits', () => {
    const id = (n: number) => 'x'.repeat(n);
    expect(OfbCreateWorkspace.safeParse({ name: 'W', id: id(OfbLimits.maxWorkspaceIdLength) }).success).toBe(
      true,
    );
    expect(
      OfbCreateWorkspace.safeParse({ name: 'W', id: id(OfbLimits.maxWorkspaceIdLength + 1) }).success,
    ).toBe(false);
    const check = { token: 't', resourceId: 'doc' };
    const checks = (n: number) => ({ checks: Array.from({ length: n }, () => check) });
    expect(OfbAuthorizeMany.safeParse(checks(OfbLimits.maxChecksPerCall)).success).toBe(true);
    expect(OfbAuthorizeMany.safeParse(checks(OfbLimits.maxChecksPerCall + 1)).success).toBe(false);
    const updates = (n: number) => ({ documentId: 'doc', updates: Array.from({ length: n }, () => 'AAA=') });
    expect(OfbPersistUpdates.safeParse(updates(OfbLimits.maxUpdatesPerPersist)).success).toBe(true);
    expect(OfbPersistUpdates.safeParse(updates(OfbLimits.maxUpdatesPerPersist + 1)).success).toBe(false);
    const chunk = (parts: number) => ({ key: Array.from({ length: parts }, () => 'k'), bytes: 'AAA=' });
    expect(OfbAutomergeSave.safeParse({ chunks: [chunk(OfbLimits.maxKeyParts)] }).success).toBe(true);
    expect(OfbAutomergeSave.safeParse({ chunks: [chunk(OfbLimits.maxKeyParts + 1)] }).success).toBe(false);
    expect(
      OfbAutomergeSave.safeParse({
        chunks: Array.from({ length: OfbLimits.maxChunksPerCall + 1 }, () => chunk(2)),
      }).success,
    ).toBe(false);
    expect(
      OfbPersistUpdates.safeParse({ documentId: id(OfbLimits.maxIdLength + 1), updates: ['AAA='] }).success,
    ).toBe(false);
  });
});
