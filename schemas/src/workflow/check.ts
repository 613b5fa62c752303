// Whether a document can be stored as a workflow at all (its shape), before validation of its meaning.

import { isExtensionNodeTypeName } from './extension-node-types.js';
import { Workflow } from './model.js';
import { NodeLibrary, type NodeTypeSpec } from './node-library.js';

/** One reason a document cannot be stored as a workflow: where (dotted path) and what. */
export interface WorkflowDocumentIssue {
  readonly path: string;
  readonly message: string;
}

/** The verdict of {@link checkWorkflowDocument}. */
export type WorkflowDocumentCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly issues: WorkflowDocumentIssue[] };

/** Issues reported at most: enough to fix a document, bounded for a hostile one. */
const MAX_ISSUES = 50;
/** Nesting a parameter value may have; the node library's deepest schema needs 2. */
const MAX_PARAM_DEPTH = 32;

/**
 * Whether a document may be stored as a workflow: the gate the sync-server (before applying a
 * change) and OFB (before storing chunks) both apply, so they refuse exactly the same documents.
 *
 * It refuses what the board cannot show or repair: a document outside the `Workflow` schema, a
 * node whose type is neither in the node library nor named as an extension's (`<extension id>/<name>`:
 * extensions are enabled per person, so a shared workflow may hold nodes only some can run), and
 * parameter values that are not plain JSON
 * (Automerge counters, bytes, dates). It does **not** refuse parameters that fail their node
 * type's schema: the inspector stores half-typed input on purpose (a number field that does not
 * parse keeps its text) and `validateWorkflow` reports it as a finding the user fixes on the board;
 * refusing it would drop the user's edit. Pure and deterministic.
 */
export function checkWorkflowDocument(
  value: unknown,
  library: ReadonlyMap<string, NodeTypeSpec> = NodeLibrary,
): WorkflowDocumentCheck {
  const parsed = Workflow.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.slice(0, MAX_ISSUES).map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      })),
    };
  }
  const issues: WorkflowDocumentIssue[] = [];
  for (const [id, node] of Object.entries(parsed.data.nodes)) {
    if (issues.length >= MAX_ISSUES) break;
    if (!library.has(node.type) && !isExtensionNodeTypeName(node.type)) {
      issues.push({ path: `nodes.${id}.type`, message: `unknown node type "${node.type}"` });
    }
    for (const [name, param] of Object.entries(node.params)) {
      const where = notPlainJson(param, 0);
      if (where !== undefined) {
        issues.push({
          path: ['nodes', id, 'params', name, ...where].join('.'),
          message: 'parameter values must be plain JSON (text, finite number, boolean, null, list, object)',
        });
        if (issues.length >= MAX_ISSUES) break;
      }
    }
  }
  return issues.length === 0 ? { ok: true } : { ok: false, issues };
}

/** The path (relative to `value`) of the first part that is not plain JSON, or undefined. */
function notPlainJson(value: unknown, depth: number): string[] | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : [];
  if (typeof value !== 'object' || depth >= MAX_PARAM_DEPTH) return [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const inner = notPlainJson(value[i], depth + 1);
      if (inner !== undefined) return [String(i), ...inner];
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return [];
  for (const [key, inner] of Object.entries(value)) {
    const where = notPlainJson(inner, depth + 1);
    if (where !== undefined) return [key, ...where];
  }
  return undefined;
}
