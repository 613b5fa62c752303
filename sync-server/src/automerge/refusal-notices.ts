// The refusals the /automerge endpoint sends a peer whose changes it did not take (read-only, invalid
// Workflow, not applicable, storage), and the per-connection throttle that keeps them from flooding it.
import { type ChangeRefusal, ChangeRefusalCode, changeRefusalDetail } from '@symphony/schemas';

/**
 * 30 s: a client whose refused changes stay in its own document resends them with every later
 * change; it is told once and reminded at most this often, never flooded and never closed.
 */
export const REFUSAL_NOTICE_WINDOW_MS = 30_000;

/** At most this many (document, code) pairs remembered per connection; the oldest is forgotten first. */
const MAX_REMEMBERED = 256;

/**
 * Which refusals one connection has been told about: {@link RefusalNotices.take} lets the first
 * refusal of each (document, code) through and then one per window. Time is injected.
 */
export class RefusalNotices {
  readonly #told = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly windowMs = REFUSAL_NOTICE_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether to send this refusal now; when not, it is counted. Returns the number of refusals of the
   * same kind left untold since the last one sent (0 for the first), or `undefined` to stay silent.
   */
  take(documentId: string, code: ChangeRefusalCode): number | undefined {
    const key = `${documentId}\u0000${code}`;
    const at = this.now();
    const told = this.#told.get(key);
    if (told && at - told.at < this.windowMs) {
      told.suppressed++;
      return undefined;
    }
    this.#told.delete(key);
    this.#told.set(key, { at, suppressed: 0 });
    if (this.#told.size > MAX_REMEMBERED) this.#told.delete(this.#told.keys().next().value!);
    return told?.suppressed ?? 0;
  }
}

/** A refusal before it is addressed to a peer: what {@link refusalFor} builds. */
export type Refusal = Omit<ChangeRefusal, 'type'>;

/** The refusal of a viewer's (or any read-only role's) changes. */
export function readOnlyRefusal(documentId: string, role: string): Refusal {
  return {
    code: ChangeRefusalCode.readOnly,
    documentId,
    message: `read-only: your role on ${documentId} is ${role}; changes are not saved`,
    detail: changeRefusalDetail(role),
  };
}

/** The refusal of changes that would leave a workflow invalid; `issue` names the first problem. */
export function invalidWorkflowRefusal(documentId: string, issue: string): Refusal {
  return {
    code: ChangeRefusalCode.invalidWorkflow,
    documentId,
    message: `invalid workflow: ${changeRefusalDetail(issue)}`,
    detail: changeRefusalDetail(issue),
  };
}

/** The refusal of changes Automerge could not apply to the server's copy. */
export function notApplicableRefusal(documentId: string, error: unknown): Refusal {
  return {
    code: ChangeRefusalCode.notApplicable,
    documentId,
    message: `changes do not apply: ${changeRefusalDetail(String(error))}`,
    detail: changeRefusalDetail(String(error)),
  };
}

/**
 * The refusal of changes storage did not take: for good (`ofbCode` is OFB's code, e.g.
 * `document_too_large`), or for now (`ofbCode` undefined: an outage).
 */
export function storageRefusal(documentId: string, ofbCode: string | undefined): Refusal {
  if (ofbCode === undefined)
    return {
      code: ChangeRefusalCode.storageFailed,
      documentId,
      message: `could not store changes to ${documentId}; the server dropped them, sync again to resend`,
    };
  return {
    code: ChangeRefusalCode.storageRefused,
    documentId,
    message: `storage refused changes to ${documentId}: ${ofbCode}; the server dropped them`,
    detail: changeRefusalDetail(ofbCode),
  };
}
