// What a document operation's failure means for a run: each editor-engine error as a StepError that
// says what to do, retryable only where trying again can help.
import { EngineRequestError } from '@symphony/editor-engine';
import { type DocumentId, EngineErrorCode, RunErrorCode } from '@symphony/schemas';
import { StepError } from '../steps/Step.js';

/** json-rpc-peer's and the client's code for "internal": the client was closed, or the engine broke. */
const INTERNAL = EngineErrorCode.InternalError;

/**
 * The `StepError` (`document_failed`) for an error of a document operation on `documentId`:
 * a refused token, a stranger, a missing document, a viewer and an oversized text are not
 * retryable (the person must act); a failed sync, a timeout and a stopped engine are.
 * `stopped` is why the engine connection ended, when it has. A `StepError` passes through.
 */
export function documentStepError(error: unknown, documentId: DocumentId, stopped?: string): StepError {
  if (error instanceof StepError) return error;
  const doc = `document ${documentId}`;
  if (!(error instanceof EngineRequestError)) {
    const message = error instanceof Error ? error.message : String(error);
    return new StepError(RunErrorCode.documentFailed, `${doc}: ${message}`, false);
  }
  const details = { engineCode: error.code, documentId };
  const fail = (message: string, retryable: boolean) =>
    new StepError(RunErrorCode.documentFailed, message, retryable, details);
  switch (error.code) {
    case EngineErrorCode.Unauthorized:
      return fail(
        `the team server refused your sign-in for ${doc} (${error.message}); sign in again with "symphony login"`,
        false,
      );
    case EngineErrorCode.Forbidden:
      return fail(
        `you are not a member of the workspace of ${doc}; ask its owner to invite you, or pick another document`,
        false,
      );
    case EngineErrorCode.UnknownDocument:
      return fail(
        `the team server has no ${doc}; check the node's document, it may have been deleted`,
        false,
      );
    case EngineErrorCode.ReadOnly:
      return fail(
        `${doc} is read-only for you (your role is viewer); ask for the editor role, or write to another document`,
        false,
      );
    case EngineErrorCode.PayloadTooLarge:
      return fail(
        `the text for ${doc} is too large for one edit (${error.message}); make the output smaller`,
        false,
      );
    case EngineErrorCode.SyncFailed:
      return fail(`could not sync ${doc} with the team server (${error.message}); it is tried again`, true);
    case INTERNAL:
      if (stopped !== undefined)
        return fail(`${stopped} while working on ${doc}; it is tried again with a new engine`, true);
      return fail(`the editor engine failed on ${doc}: ${error.message}`, false);
    default:
      return fail(`the editor engine refused the operation on ${doc}: ${error.message}`, false);
  }
}

/** The `StepError` (`cancelled`) for an operation stopped by its signal. */
export function cancelledError(signal: AbortSignal, documentId: DocumentId): StepError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : reason === undefined ? 'aborted' : String(reason);
  return new StepError(RunErrorCode.cancelled, `stopped working on document ${documentId}: ${why}`, false);
}
