// The monitor's error for what the executor and the workflow sources throw, by their names (as the
// CLI classifies them), so a refused workflow, a bad node id or an unreachable team server each
// reach the board as the code it acts on.
import { MonitorErrorCode } from '@symphony/schemas';
import { invalidRequest, MonitorError } from './monitor-error.js';

/** The {@link MonitorError} for `error` (a MonitorError passes through; an unknown failure is `internal`). */
export function runFailure(error: unknown): MonitorError {
  if (error instanceof MonitorError) return error;
  if (!(error instanceof Error)) return new MonitorError(MonitorErrorCode.internal, String(error));
  const named = error as Error & { code?: unknown; findings?: unknown; issues?: unknown; problems?: unknown };
  switch (error.name) {
    case 'WorkflowRefusedError':
      return new MonitorError(MonitorErrorCode.workflowRefused, error.message, {
        findings: Array.isArray(named.findings) ? named.findings : [],
      });
    case 'OrchestratorInputError':
      return invalidRequest(
        'request',
        Array.isArray(named.issues) ? (named.issues as { path: PropertyKey[]; message: string }[]) : [],
      );
    case 'RunNotFoundError':
      return new MonitorError(MonitorErrorCode.notFound, error.message);
    case 'WorkflowSourceError':
      return sourceFailure(error.message, named.code, named.problems);
    default:
      return new MonitorError(MonitorErrorCode.internal, error.message);
  }
}

/** A workflow the team server would not give, or gave as something that is not a workflow. */
function sourceFailure(message: string, code: unknown, problems: unknown): MonitorError {
  switch (code) {
    case 'unauthorized':
      return new MonitorError(MonitorErrorCode.invalidToken, message, { ofbCode: 'unauthorized' });
    case 'forbidden':
      return new MonitorError(MonitorErrorCode.notAMember, message);
    case 'not_found':
      return new MonitorError(MonitorErrorCode.notFound, message);
    case 'unreachable':
      return new MonitorError(MonitorErrorCode.teamServerUnreachable, message);
    default:
      return new MonitorError(MonitorErrorCode.workflowRefused, message, {
        findings: [],
        problems: Array.isArray(problems) ? problems : [],
      });
  }
}
