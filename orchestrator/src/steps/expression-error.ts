// How `filter` and `map` report a failure of the ExpressionSandbox: as the node's error.
import { RunErrorCode } from '@symphony/schemas';
import { ExpressionError, ExpressionFailure } from '../sandbox/ExpressionSandbox.js';
import { StepError } from './Step.js';

/** A sandbox failure as the node's error: `expression_failed` (or `cancelled`), saying which item and what. */
export function expressionStepError(type: string, error: unknown): unknown {
  if (!(error instanceof ExpressionError)) return error;
  if (error.reason === ExpressionFailure.cancelled)
    return new StepError(RunErrorCode.cancelled, `${type}: cancelled`);
  return new StepError(RunErrorCode.expressionFailed, `${type}: ${error.message}`, false, {
    reason: error.reason,
    ...(error.item === undefined ? {} : { item: error.item }),
  });
}
