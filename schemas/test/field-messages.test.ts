// Tests that each entity's name field says its own name in its messages: a workspace name is not a
// "title", and OFB's create-workspace refusal says so too.
import { describe, expect, it } from 'vitest';
import { Member, OfbRequests, Title, Workspace, WorkspaceName } from '../src/index.js';

function messages(result: { success: boolean; error?: { issues: { message: string }[] } }): string[] {
  return result.success ? [] : (result.error?.issues.map((i) => i.message) ?? []);
}

describe('name field messages', () => {
  it('a workspace name says "workspace name"', () => {
    expect(messages(WorkspaceName.safeParse('   '))).toEqual(['workspace name must not be empty']);
    expect(messages(WorkspaceName.safeParse('x'.repeat(201)))).toEqual([
      'workspace name must be at most 200 characters',
    ]);
    expect(messages(WorkspaceName.safeParse('a\u0000b'))).toEqual([
      expect.stringMatching(/^workspace name must not contain control characters/),
    ]);
    const ws = { id: 'ws-1', createdAt: '2025-01-01T00:00:00.000Z' };
    expect(messages(Workspace.safeParse({ ...ws, name: '' }))).toEqual(['workspace name must not be empty']);
    expect(messages(OfbRequests['create-workspace'].safeParse({ name: ' ' }))).toEqual([
      'workspace name must not be empty',
    ]);
  });

  it('a document or workflow title says "title"; a member name says "member name"', () => {
    expect(messages(Title.safeParse(''))).toEqual(['title must not be empty']);
    expect(messages(OfbRequests['rename-document'].safeParse({ documentId: 'd', title: ' ' }))).toEqual([
      'title must not be empty',
    ]);
    const member = { workspaceId: 'ws-1', userId: 'u-1', role: 'editor' };
    expect(messages(Member.safeParse({ ...member, name: '' }))).toEqual(['member name must not be empty']);
    expect(messages(Member.safeParse({ ...member, name: 'x'.repeat(101) }))).toEqual([
      'member name must be at most 100 characters',
    ]);
  });

  it('accepts names a person can read', () => {
    expect(WorkspaceName.safeParse('Team Ünïcode 🎼').success).toBe(true);
    expect(Title.safeParse('Roadmap 2025').success).toBe(true);
  });
});
