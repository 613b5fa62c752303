// Workflow files: a Workflow exported as `symphony-workflow` JSON and read back, with errors that say
// where the file is wrong.
import { checkWorkflowDocument, NodeLibrary, type Workflow, WorkflowFile } from '@symphony/schemas';

/** 10 MiB: a 10,000-node workflow is about 3 MiB of JSON; anything larger is not a workflow file. */
export const MAX_WORKFLOW_FILE_BYTES = 10 * 1024 * 1024;

/** The result of reading a workflow file: the workflow, or every problem found, one per line. */
export type WorkflowFileResult =
  | { readonly ok: true; readonly workflow: Workflow }
  | { readonly ok: false; readonly errors: readonly string[] };

/** The export of `workflow`, as pretty-printed JSON. */
export function exportWorkflow(workflow: Workflow): string {
  const file: WorkflowFile = {
    format: 'symphony-workflow',
    version: 1,
    workflow: JSON.parse(JSON.stringify(workflow)),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** A file name for the export of a workflow called `name`. */
export function exportFileName(name: string): string {
  const base = name
    .trim()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${base === '' ? 'workflow' : base}.workflow.json`;
}

/**
 * Reads a workflow export: JSON, then {@link WorkflowFile}, then the server's own gate
 * (`checkWorkflowDocument`: node types it knows, plain JSON parameters), so a file the server would
 * refuse is refused here, before anything is created or listed. Errors name where the problem is
 * (`workflow.nodes.n1.position.x: expected number, received string`; `Node “Fetch” has the type
 * “teleport”, …`) so a person can fix the file. What the board can repair (dangling edges, cycles,
 * missing parameters) is validation's job, shown as findings once it is open.
 */
export function parseWorkflowFile(text: string): WorkflowFileResult {
  if (text.length > MAX_WORKFLOW_FILE_BYTES) {
    return { ok: false, errors: ['The file is larger than 10 MB; a workflow export is much smaller.'] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      errors: [`The file is not JSON (${error instanceof Error ? error.message : String(error)}).`],
    };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, errors: ['The file is not a Symphony workflow export: expected a JSON object.'] };
  }
  const record = json as Record<string, unknown>;
  if (record.format !== 'symphony-workflow') {
    return {
      ok: false,
      errors: [
        `The file is not a Symphony workflow export: "format" is ${JSON.stringify(record.format) ?? 'missing'}, expected "symphony-workflow".`,
      ],
    };
  }
  if (record.version !== 1) {
    return {
      ok: false,
      errors: [
        `This workflow file has version ${JSON.stringify(record.version) ?? '(missing)'}; this app reads version 1.`,
      ],
    };
  }
  const parsed = WorkflowFile.safeParse(json);
  if (!parsed.success) {
    const errors = parsed.error.issues
      .slice(0, 20)
      .map((issue) => `${describePath(issue.path)}: ${issue.message}`);
    const more = parsed.error.issues.length - errors.length;
    if (more > 0) errors.push(`…and ${more} more ${more === 1 ? 'problem' : 'problems'}.`);
    return { ok: false, errors };
  }
  const workflow = parsed.data.workflow;
  const refused = serverRefusals(workflow);
  if (refused.length > 0) return { ok: false, errors: refused };
  return { ok: true, workflow };
}

/** What the server's gate would refuse in `workflow`, in words naming the node and parameter. */
function serverRefusals(workflow: Workflow): string[] {
  const check = checkWorkflowDocument(workflow);
  if (check.ok) return [];
  return check.issues.map((issue) => {
    const [, id, field, param] = issue.path.split('.');
    const node = id === undefined ? undefined : workflow.nodes[id as keyof Workflow['nodes']];
    if (node === undefined) return `${issue.path}: ${issue.message}.`;
    const name = `“${node.label ?? NodeLibrary.get(node.type)?.title ?? node.type}”`;
    if (field === 'type') {
      return `Node ${name} has the type “${node.type}”, which this version of Symphony does not know: remove the node from the file or change its type to one in the node library.`;
    }
    return `Node ${name}: parameter “${param ?? ''}” is not plain JSON (text, a finite number, true/false, null, a list or an object).`;
  });
}

function describePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'the file';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}
