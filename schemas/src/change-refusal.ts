// Why the sync-server refused a client's /automerge changes: the codes, shared by server and client.
import { z } from 'zod';
import { MAX_ID_LENGTH } from './ids.js';

/**
 * Why the sync-server did not take a client's changes to an `/automerge` document. It travels as
 * the `code` of automerge-repo's `error` message (stock clients only log the message and ignore
 * the extra fields), so clients tell reasons apart without reading the human text.
 */
export const ChangeRefusalCode = {
  /** The connection's role (viewer) may not change the document. */
  readOnly: 'read_only',
  /** The changes would leave the workflow outside `checkWorkflowDocument`; `detail` names the first issue. */
  invalidWorkflow: 'invalid_workflow',
  /** The changes decode but Automerge cannot apply them to the server's copy. */
  notApplicable: 'not_applicable',
  /** Storage (OFB) refused the changes for good; `detail` is OFB's code, e.g. `document_too_large`. */
  storageRefused: 'storage_refused',
  /** Storage could not be reached or failed; the changes may be resent by syncing again. */
  storageFailed: 'storage_failed',
} as const;
export type ChangeRefusalCode = (typeof ChangeRefusalCode)[keyof typeof ChangeRefusalCode];

/** 200 characters: a code or one validation issue, never a document's contents. */
const MAX_DETAIL_LENGTH = 200;

/**
 * The fields Symphony adds to automerge-repo's `error` message (`{ type: 'error', message,
 * senderId, targetId }`) when it refuses changes: which document, why, and a detail for the reason.
 */
export const ChangeRefusal = z.object({
  type: z.literal('error'),
  /** For people and for stock clients' logs; clients show their own words for `code`. */
  message: z.string(),
  code: z.enum([
    ChangeRefusalCode.readOnly,
    ChangeRefusalCode.invalidWorkflow,
    ChangeRefusalCode.notApplicable,
    ChangeRefusalCode.storageRefused,
    ChangeRefusalCode.storageFailed,
  ]),
  documentId: z.string().min(1).max(MAX_ID_LENGTH),
  detail: z.string().max(MAX_DETAIL_LENGTH).optional(),
});
export type ChangeRefusal = z.infer<typeof ChangeRefusal>;

/** `detail` cut to what {@link ChangeRefusal} admits, so the server never sends one a client would drop. */
export function changeRefusalDetail(detail: string): string {
  return detail.length <= MAX_DETAIL_LENGTH ? detail : `${detail.slice(0, MAX_DETAIL_LENGTH - 1)}…`;
}

/**
 * The refusal an automerge-repo message describes, or `undefined` when it is not one (another
 * message type, an `error` from a server that sends no code, or fields of the wrong shape). Never throws.
 */
export function parseChangeRefusal(message: unknown): ChangeRefusal | undefined {
  const parsed = ChangeRefusal.safeParse(message);
  return parsed.success ? parsed.data : undefined;
}
