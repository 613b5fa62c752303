// Tests that every OFB function's answer fits its schema in OfbResponses, in one flow that calls each.
import * as Automerge from '@automerge/automerge';
import { bytesToBase64, type OfbFunctionName, OfbRequests } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startTestOfb, type TestOfb } from '../src/testing.js';

// Every function's answer fits its schema in `OfbResponses` (schemas/src/ofb.ts): `ofb.ok` parses
// each answer with it and throws on a misfit. One flow that calls every function once at least.

let ofb: TestOfb;
beforeAll(async () => {
  ofb = await startTestOfb();
}, 30_000);
afterAll(() => ofb?.close());

const workflow = {
  name: 'Answers',
  nodes: {
    n1: {
      type: 'read-document',
      kind: 'operator',
      params: { documentId: 'doc-1' },
      position: { x: 0, y: 0 },
    },
    n2: {
      type: 'summarize',
      kind: 'instrument',
      params: { model: 'claude-sonnet', length: 'short', focus: '' },
      position: { x: 200, y: 0 },
    },
  },
  edges: { e1: { from: { node: 'n1', port: 'document' }, to: { node: 'n2', port: 'text' } } },
};

describe('OfbResponses', () => {
  it('describes the answer of every OFB function', async () => {
    const called = new Set<OfbFunctionName>();
    const ok: TestOfb['ok'] = (name, body, token) => {
      called.add(name);
      return ofb.ok(name, body, token);
    };
    const service = await ofb.serviceToken();
    const owner = await ofb.signUp();
    const editor = await ofb.signUp();
    called.add('sign-up');
    await ok('sign-in', { name: editor.name, password: 'password123' });
    const refreshed = await ok('refresh-session', {}, owner.token);
    const { workspace } = await ok('create-workspace', { name: 'Answers' }, refreshed.access_token);
    await ok('list-workspaces', {}, owner.token);
    const { invitation } = await ok(
      'invite-member',
      { workspaceId: workspace.id, userName: editor.name, role: 'viewer' },
      owner.token,
    );
    await ok('list-invitations', {}, editor.token);
    await ok('accept-invitation', { invitationId: invitation.id }, editor.token);
    const declinedBy = await ofb.signUp();
    const { invitation: declined } = await ok(
      'invite-member',
      { workspaceId: workspace.id, userId: declinedBy.id, role: 'viewer' },
      owner.token,
    );
    await ok('decline-invitation', { invitationId: declined.id }, declinedBy.token);
    await ok('change-role', { workspaceId: workspace.id, userId: editor.id, role: 'editor' }, owner.token);
    await ok('list-members', { workspaceId: workspace.id }, owner.token);

    const { document } = await ok(
      'create-document',
      { workspaceId: workspace.id, kind: 'document', title: 'Notes' },
      owner.token,
    );
    await ok('rename-document', { documentId: document.id, title: 'Renamed' }, owner.token);
    await ok('list-documents', { workspaceId: workspace.id }, editor.token);
    await ok('authorize', { token: editor.token, resourceId: document.id }, undefined);
    await ok(
      'authorize-many',
      {
        checks: [
          { token: editor.token, resourceId: document.id },
          { token: editor.token, resourceId: 'no-such-document' },
        ],
      },
      service,
    );
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'hello');
    const update = bytesToBase64(Y.encodeStateAsUpdate(doc));
    await ok(
      'persist-updates',
      { documentId: document.id, updates: [update], writers: [editor.id] },
      service,
    );
    const loaded = await ok('load-document', { documentId: document.id }, service);
    await ok(
      'compact-document',
      { documentId: document.id, state: update, upToSeq: loaded.lastSeq! },
      service,
    );
    await ok('list-stored-documents', { workspaceId: workspace.id }, service);

    const flow = await ok(
      'create-document',
      { workspaceId: workspace.id, id: 'answers-flow', kind: 'workflow', title: 'Flow' },
      owner.token,
    );
    const snapshot = bytesToBase64(Automerge.save(Automerge.from(structuredClone(workflow))));
    const key = [flow.document.id, 'snapshot', 'h1'];
    await ok('automerge-save', { chunks: [{ key, bytes: snapshot }] }, service);
    await ok('automerge-load', { key }, service);
    await ok('automerge-load-range', { prefix: [flow.document.id] }, service);
    const report = await ok('validate-workflow', { documentId: flow.document.id }, editor.token);
    expect(report.edges).toEqual({ e1: 'accepted' });
    const run = {
      workflowId: flow.document.id,
      runId: 'run_answers0001',
      status: 'succeeded',
      startedAt: 1_750_000_000_000,
      finishedAt: 1_750_000_001_000,
      heads: ['h1'],
      outputs: { n1: { document: 'a'.repeat(64) } },
      nodes: 2,
      inputTokens: 10,
      outputTokens: 5,
      costUsd: 0.001,
    };
    await ok('record-run', run, editor.token);
    await ok('list-runs', { workflowId: flow.document.id }, editor.token);
    await ok('automerge-remove', { keys: [[flow.document.id, 'absent']] }, service);
    await ok('automerge-remove-range', { prefix: [flow.document.id, 'sync-state'] }, service);

    await ok('delete-document', { documentId: document.id }, owner.token);
    await ok('list-trash', { workspaceId: workspace.id }, editor.token);
    await ok('restore-document', { documentId: document.id }, editor.token);
    await ok('remove-member', { workspaceId: workspace.id, userId: editor.id }, owner.token);
    const again = await ok(
      'change-password',
      { currentPassword: 'password123', newPassword: 'password456' },
      editor.token,
    );
    await ok('sign-out', { everywhere: true }, again.access_token);

    expect([...called].sort()).toEqual(Object.keys(OfbRequests).sort());
  });
});
