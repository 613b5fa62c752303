// Tests of Workflow files: export round trip, errors naming where a file is wrong, safe file names.
import { checkWorkflowDocument, instantiateTemplate, WorkflowTemplates } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { exportFileName, exportWorkflow, parseWorkflowFile } from './workflow-file.js';

const template = WorkflowTemplates[0];
if (template === undefined) throw new Error('no templates');

describe('workflow files', () => {
  it('round-trips an export', () => {
    const workflow = instantiateTemplate(template);
    const result = parseWorkflowFile(exportWorkflow(workflow));
    expect(result).toEqual({ ok: true, workflow });
  });

  it('explains a file that is not JSON, not an export, or another version', () => {
    const notJson = parseWorkflowFile('{ nope');
    expect(notJson.ok).toBe(false);
    expect(!notJson.ok && notJson.errors[0]).toMatch(/^The file is not JSON/);
    const other = parseWorkflowFile(JSON.stringify({ format: 'tldraw' }));
    expect(!other.ok && other.errors).toEqual([
      'The file is not a Symphony workflow export: "format" is "tldraw", expected "symphony-workflow".',
    ]);
    const v2 = parseWorkflowFile(JSON.stringify({ format: 'symphony-workflow', version: 2 }));
    expect(!v2.ok && v2.errors).toEqual(['This workflow file has version 2; this app reads version 1.']);
  });

  it('names every problem by its path in the file', () => {
    const workflow = instantiateTemplate(template);
    const [first] = Object.keys(workflow.nodes);
    const file = JSON.parse(exportWorkflow(workflow));
    file.workflow.nodes[first as string].position.x = 'left';
    file.workflow.name = '';
    const result = parseWorkflowFile(JSON.stringify(file));
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toContainEqual(expect.stringMatching(/^workflow\.name: name must not be empty/));
    expect(errors).toContainEqual(
      expect.stringMatching(new RegExp(`^workflow\\.nodes\\.${first}\\.position\\.x: `)),
    );
  });

  it('refuses what the server would refuse, naming the node, before anything is created', () => {
    const workflow = instantiateTemplate(template);
    const [first, second] = Object.keys(workflow.nodes) as [string, string];
    const file = JSON.parse(exportWorkflow(workflow));
    // The walkthrough's file: an unknown node type and a dangling edge.
    file.workflow.nodes[first].type = 'teleport';
    file.workflow.nodes[first].label = 'Fetch';
    file.workflow.edges.e_dangling = {
      from: { node: 'gone', port: 'x' },
      to: { node: second, port: 'text' },
    };
    const result = parseWorkflowFile(JSON.stringify(file));
    expect(checkWorkflowDocument(file.workflow).ok).toBe(false);
    expect(result).toEqual({
      ok: false,
      errors: [
        'Node “Fetch” has the type “teleport”, which this version of Symphony does not know: remove the node from the file or change its type to one in the node library.',
      ],
    });
    // A dangling edge alone is something the board repairs: the file imports and shows a finding.
    file.workflow.nodes[first].type = 'read-document';
    const repaired = parseWorkflowFile(JSON.stringify(file));
    expect(repaired.ok).toBe(true);
    expect(checkWorkflowDocument(file.workflow).ok).toBe(true);
  });

  it('makes safe file names', () => {
    expect(exportFileName('Review code / v2')).toBe('Review-code-v2.workflow.json');
    expect(exportFileName('  ')).toBe('workflow.workflow.json');
  });
});
