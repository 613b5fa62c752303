// Tests of the Workflow gate: changes that keep a Workflow valid pass, invalid ones name their issue,
// and addsNothing tells repeated changes from new ones.
import { next as A } from '@automerge/automerge';
import { instantiateTemplate, type Workflow, WorkflowTemplates } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { addsNothing, checkWorkflowChanges } from './workflow-gate.js';

/** The changes `edit` makes to a fork of `doc`, as a sync message would carry them. */
function changesFrom<T>(doc: A.Doc<T>, edit: (d: T) => void): Uint8Array[] {
  const fork = A.change(A.clone(doc), edit);
  return A.getChanges(doc, fork);
}

describe('checkWorkflowChanges', () => {
  const workflow = A.from<Workflow>(instantiateTemplate(WorkflowTemplates[0]!, 'Gate'));

  it('passes changes that keep a workflow valid and names the issue of those that do not', () => {
    expect(
      checkWorkflowChanges(
        workflow,
        changesFrom(workflow, (d) => {
          d.name = 'Renamed';
        }),
      ),
    ).toEqual({ ok: true });
    const verdict = checkWorkflowChanges(
      workflow,
      changesFrom(workflow, (d) => {
        const [id] = Object.keys(d.nodes) as (keyof typeof d.nodes)[];
        d.nodes[id!]!.type = 'nope';
      }),
    );
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.issues[0]?.message).toMatch(/unknown node type/);
    // The server's copy is never touched.
    expect(workflow.name).toBe('Gate');
  });
});

describe('addsNothing', () => {
  const doc = A.from<{ items: string[] }>({ items: ['a'] });
  const later = A.change(doc, (d) => void d.items.push('b'));

  it('is true for changes the document already has, false for new ones or ones missing deps', () => {
    expect(addsNothing(later, A.getAllChanges(later))).toBe(true);
    expect(addsNothing(doc, A.getChanges(doc, later))).toBe(false);
    const third = A.change(later, (d) => void d.items.push('c'));
    expect(addsNothing(doc, A.getChanges(later, third))).toBe(false);
  });
});
