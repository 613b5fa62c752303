// The board's words for a refused workflow change: headline, advice, and whether editing stops.
import {
  type ChangeRefusal,
  ChangeRefusalCode,
  NodeLibrary,
  OfbErrorCode,
  type Workflow,
} from '@symphony/schemas';

/** What the board tells the person when the server did not take their changes to a workflow. */
export interface ChangeRefusalNotice {
  /** One sentence: that the changes are not saved, and why. */
  readonly headline: string;
  /** What to do about it. */
  readonly advice: string;
  /** The person may not edit this workflow (any longer): the board stops offering edits. */
  readonly readOnly: boolean;
  /** The refusal may pass by itself (storage was unreachable): shown, but not as an alarm. */
  readonly transient: boolean;
}

const NOT_SAVED = 'Your changes to this workflow are not saved';
const KEEP_A_COPY = 'Export keeps your version as a file.';

/** Why OFB refused to store the changes, in words, from its code (a `storage_refused` detail). */
function storageReason(ofbCode: string | undefined): { why: string; advice: string; readOnly: boolean } {
  switch (ofbCode) {
    case OfbErrorCode.documentTooLarge:
      return {
        why: 'the workflow would be larger than the workspace allows',
        advice: `Remove what you just added, or split the workflow into smaller ones. ${KEEP_A_COPY}`,
        readOnly: false,
      };
    case OfbErrorCode.quotaExceeded:
      return {
        why: 'the workspace has reached its storage quota',
        advice: `Ask the workspace owner to free space or raise the quota. ${KEEP_A_COPY}`,
        readOnly: false,
      };
    case OfbErrorCode.documentNotFound:
      return {
        why: 'this workflow was deleted',
        advice: `${KEEP_A_COPY} Import it to start again from your version.`,
        readOnly: true,
      };
    case OfbErrorCode.roleTooLow:
    case OfbErrorCode.notAMember:
      return {
        why: 'you can no longer edit it',
        advice: `Ask the workspace owner for edit access. ${KEEP_A_COPY}`,
        readOnly: true,
      };
    case OfbErrorCode.invalidWorkflow:
      return {
        why: 'the server found they would make the workflow invalid',
        advice: `${KEEP_A_COPY} Your collaborators do not see these changes.`,
        readOnly: false,
      };
    default:
      return {
        why: `storage refused them${ofbCode === undefined ? '' : ` (${ofbCode})`}`,
        advice: `${KEEP_A_COPY} Your collaborators do not see these changes.`,
        readOnly: false,
      };
  }
}

/**
 * The one place that turns the server's refusal codes into words for the board. Every code gets
 * a specific sentence; an OFB code nobody anticipated is still named. Given the `workflow` as this
 * person has it, an invalid workflow's problem names the node by its label, not its id.
 */
export function changeRefusalNotice(
  refusal: Pick<ChangeRefusal, 'code' | 'detail'>,
  workflow?: Workflow | null,
): ChangeRefusalNotice {
  switch (refusal.code) {
    case ChangeRefusalCode.readOnly:
      return {
        headline: `${NOT_SAVED}: you can view this workflow but not edit it.`,
        advice: `Your role in this workspace is ${refusal.detail ?? 'viewer'}. Ask an owner for edit access. ${KEEP_A_COPY}`,
        readOnly: true,
        transient: false,
      };
    case ChangeRefusalCode.invalidWorkflow: {
      const named = workflow ? invalidNodeProblem(refusal.detail, workflow) : undefined;
      if (named !== undefined) {
        return {
          headline: `${NOT_SAVED}: ${named.problem}.`,
          advice: `${named.fix} ${KEEP_A_COPY}`,
          readOnly: false,
          transient: false,
        };
      }
      return {
        headline: `${NOT_SAVED}: they would make the workflow invalid${refusal.detail === undefined ? '' : ` (${refusal.detail})`}.`,
        advice: `${KEEP_A_COPY} Your collaborators do not see these changes.`,
        readOnly: false,
        transient: false,
      };
    }
    case ChangeRefusalCode.notApplicable:
      return {
        headline: `${NOT_SAVED}: the server could not apply them to its copy.`,
        advice: `${KEEP_A_COPY} Your collaborators do not see these changes.`,
        readOnly: false,
        transient: false,
      };
    case ChangeRefusalCode.storageRefused: {
      const { why, advice, readOnly } = storageReason(refusal.detail);
      return { headline: `${NOT_SAVED}: ${why}.`, advice, readOnly, transient: false };
    }
    case ChangeRefusalCode.storageFailed:
      return {
        headline: `${NOT_SAVED} yet: the server could not reach its storage.`,
        advice: 'They stay on this device and are sent again when the connection is back.',
        readOnly: false,
        transient: true,
      };
  }
}

/**
 * The server's first issue (`nodes.<id>.type: …`, `nodes.<id>.params.<name>…: …`, as
 * `checkWorkflowDocument` words it) about a node of `workflow`, in words naming the node; undefined
 * for any other detail.
 */
function invalidNodeProblem(
  detail: string | undefined,
  workflow: Workflow,
): { problem: string; fix: string } | undefined {
  const match = /^nodes\.([^.:]+)\.(type|params\.([^.:]+))/.exec(detail ?? '');
  const node = match?.[1] === undefined ? undefined : workflow.nodes[match[1] as keyof Workflow['nodes']];
  if (match === null || node === undefined) return undefined;
  const name = `“${node.label ?? NodeLibrary.get(node.type)?.title ?? node.type}”`;
  if (match[2] === 'type') {
    return {
      problem: `the node ${name} has a type the server does not know (“${node.type}”)`,
      fix: 'Delete that node, or replace it with one from the node library, and the workflow is saved again.',
    };
  }
  return {
    problem: `parameter “${match[3]}” of the node ${name} is not plain JSON`,
    fix: 'Set that parameter again in the inspector, and the workflow is saved again.',
  };
}
