// Tests of OFB's access decisions: the full role × action × resource matrix, written out by hand.
import type { Role } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { Action, type DecisionReason, decide, ResourceKind } from './rbac.js';

/**
 * The full matrix, written out by hand: for every resource kind and action, the answer for
 * [non-member, viewer, editor, owner]. `-` = not applicable, `N` = not a member, `L` = role too low, `Y` = allowed.
 */
const expected: Record<ResourceKind, Record<Action, string>> = {
  workspace: {
    read: 'N Y Y Y',
    write: '- - - -',
    rename: 'N L L Y',
    delete: 'N L L Y',
    invite: 'N L L Y',
    'change-role': '- - - -',
    'remove-member': '- - - -',
    'create-workspace': 'Y Y Y Y',
    'read-audit': '- - - -',
  },
  document: {
    read: 'N Y Y Y',
    write: 'N L Y Y',
    rename: 'N L Y Y',
    delete: 'N L Y Y',
    invite: '- - - -',
    'change-role': '- - - -',
    'remove-member': '- - - -',
    'create-workspace': '- - - -',
    'read-audit': '- - - -',
  },
  workflow: {
    read: 'N Y Y Y',
    write: 'N L Y Y',
    rename: 'N L Y Y',
    delete: 'N L Y Y',
    invite: '- - - -',
    'change-role': '- - - -',
    'remove-member': '- - - -',
    'create-workspace': '- - - -',
    'read-audit': '- - - -',
  },
  member: {
    read: 'N Y Y Y',
    write: '- - - -',
    rename: '- - - -',
    delete: '- - - -',
    invite: 'N L L Y',
    'change-role': 'N L L Y',
    'remove-member': 'N L L Y',
    'create-workspace': '- - - -',
    'read-audit': '- - - -',
  },
  audit: {
    read: '- - - -',
    write: '- - - -',
    rename: '- - - -',
    delete: '- - - -',
    invite: '- - - -',
    'change-role': '- - - -',
    'remove-member': '- - - -',
    'create-workspace': '- - - -',
    'read-audit': 'N L L Y',
  },
};

const roles: (Role | null)[] = [null, 'viewer', 'editor', 'owner'];
const symbol: Record<DecisionReason, string> = {
  allowed: 'Y',
  not_a_member: 'N',
  role_too_low: 'L',
  not_applicable: '-',
};

describe('decide', () => {
  it('matches the expected table for every role × action × resource', () => {
    let cells = 0;
    for (const resource of Object.values(ResourceKind)) {
      for (const action of Object.values(Action)) {
        const row = expected[resource][action];
        const actual = roles
          .map((role) => {
            const d = decide(role, action, resource);
            expect(d.allowed, `${role} ${action} ${resource}`).toBe(d.reason === 'allowed');
            cells++;
            return symbol[d.reason];
          })
          .join(' ');
        expect(actual, `${resource} / ${action}`).toBe(row);
      }
    }
    expect(cells).toBe(Object.keys(ResourceKind).length * Object.keys(Action).length * roles.length);
  });
});
