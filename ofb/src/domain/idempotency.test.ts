// Tests of the idempotency request hash: key order and undefined fields ignored, requests told apart.
import { describe, expect, it } from 'vitest';
import { canonicalJson, requestHash } from './idempotency.js';

describe('requestHash', () => {
  it('ignores key order and undefined fields, and tells different requests and functions apart', () => {
    const a = requestHash('create-workspace', {
      name: 'Team',
      id: 'ws-1',
      nested: { b: 1, a: [1, { y: 2, x: 1 }] },
    });
    const b = requestHash('create-workspace', {
      nested: { a: [1, { x: 1, y: 2 }], b: 1 },
      id: 'ws-1',
      name: 'Team',
      gone: undefined,
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(requestHash('create-workspace', { name: 'Team', id: 'ws-2' })).not.toBe(
      requestHash('create-workspace', { name: 'Team', id: 'ws-1' }),
    );
    expect(requestHash('rename-document', { name: 'Team' })).not.toBe(
      requestHash('create-workspace', { name: 'Team' }),
    );
    // Array order is meaningful.
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});
