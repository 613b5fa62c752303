// What a failed call to the orchestrator says to a person: the one place the inspector and the
// performance view turn a MonitorApiError into words.
import { MonitorErrorCode } from '@symphony/schemas';
import { MonitorApiError } from '../monitor/monitor-api.js';
import { sentence } from './sentence.js';

/**
 * A failed monitor call in a sentence: no orchestrator answering says how to start one, a 404 says
 * "not found, or not yours to read" (the orchestrator does not tell the two apart), a refused token
 * says to sign in again, anything else is the orchestrator's own message.
 */
export function monitorErrorText(error: unknown): string {
  if (!(error instanceof MonitorApiError)) {
    return sentence(`something went wrong: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (error.kind === 'unreachable') return sentence(error.message);
  if (error.status === 404 || error.code === MonitorErrorCode.notFound)
    return 'Not found, or not yours to read.';
  if (error.code === MonitorErrorCode.invalidToken || error.code === MonitorErrorCode.missingToken)
    return 'The orchestrator did not accept your sign-in: sign in again.';
  if (error.code === MonitorErrorCode.notAMember) return 'You are not a member of this workspace.';
  return sentence(error.message);
}
