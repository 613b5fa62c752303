// Tests of the board's words for a refused Workflow change: viewer, invalid Workflow, storage's refusal
// from OFB's code, passing or lasting.
import { ChangeRefusalCode, type Workflow } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { changeRefusalNotice } from './change-refusal.js';

describe('changeRefusalNotice', () => {
  it('tells a viewer they can view but not edit, and locks the board', () => {
    const notice = changeRefusalNotice({ code: ChangeRefusalCode.readOnly, detail: 'viewer' });
    expect(notice.headline).toBe(
      'Your changes to this workflow are not saved: you can view this workflow but not edit it.',
    );
    expect(notice.advice).toMatch(/^Your role in this workspace is viewer\. Ask an owner for edit access\./);
    expect(notice).toMatchObject({ readOnly: true, transient: false });
  });

  it('names the first problem of an invalid workflow', () => {
    const notice = changeRefusalNotice({
      code: ChangeRefusalCode.invalidWorkflow,
      detail: 'nodes.n1.type: unknown node type',
    });
    expect(notice.headline).toBe(
      'Your changes to this workflow are not saved: they would make the workflow invalid (nodes.n1.type: unknown node type).',
    );
    expect(notice).toMatchObject({ readOnly: false, transient: false });
  });

  it('names the refused node by its label when the workflow is known, and says how to get saved again', () => {
    const workflow = {
      name: 'w',
      nodes: {
        n1: { type: 'teleport', kind: 'operator', label: 'Fetch', params: {}, position: { x: 0, y: 0 } },
      },
      edges: {},
    } as unknown as Workflow;
    const notice = changeRefusalNotice(
      { code: ChangeRefusalCode.invalidWorkflow, detail: 'nodes.n1.type: unknown node type "teleport"' },
      workflow,
    );
    expect(notice.headline).toBe(
      'Your changes to this workflow are not saved: the node “Fetch” has a type the server does not know (“teleport”).',
    );
    expect(notice.advice).toMatch(/^Delete that node, or replace it/);
    // A problem elsewhere keeps the server's words.
    expect(
      changeRefusalNotice({ code: ChangeRefusalCode.invalidWorkflow, detail: 'edges.e1.from: bad' }, workflow)
        .headline,
    ).toMatch(/\(edges\.e1\.from: bad\)\.$/);
  });

  it("says what storage's refusal means, from OFB's code", () => {
    const said = (detail: string | undefined) =>
      changeRefusalNotice({ code: ChangeRefusalCode.storageRefused, detail });
    expect(said('document_too_large').headline).toBe(
      'Your changes to this workflow are not saved: the workflow would be larger than the workspace allows.',
    );
    expect(said('document_too_large').advice).toMatch(/split the workflow/);
    expect(said('quota_exceeded').headline).toMatch(/reached its storage quota\.$/);
    expect(said('document_not_found')).toMatchObject({ readOnly: true });
    expect(said('document_not_found').headline).toMatch(/this workflow was deleted\.$/);
    expect(said('role_too_low')).toMatchObject({ readOnly: true });
    expect(said('invalid_workflow').headline).toMatch(/would make the workflow invalid\.$/);
    // A code nobody anticipated is still named, never hidden.
    expect(said('brand_new_code').headline).toBe(
      'Your changes to this workflow are not saved: storage refused them (brand_new_code).',
    );
    expect(said(undefined).headline).toMatch(/storage refused them\.$/);
  });

  it('marks an unreachable storage as passing, and the rest as lasting', () => {
    expect(changeRefusalNotice({ code: ChangeRefusalCode.storageFailed })).toMatchObject({
      transient: true,
      readOnly: false,
    });
    expect(changeRefusalNotice({ code: ChangeRefusalCode.notApplicable }).headline).toMatch(
      /could not apply them/,
    );
  });
});
