// Why an extension call failed, and how that becomes a node's error.
import { ExtensionFailure, RunErrorCode } from '@symphony/schemas';
import { StepError } from '../steps/Step.js';

/**
 * Whether a failure may go better on another attempt. A time limit may (a slow provider, a busy
 * machine) and so may a crash (the process is replaced; an extension that crashes on every input
 * fails again and the executor's attempt limit stops it). Memory, output, a denial, a protocol
 * breach and missing isolation are properties of the extension and its input: retrying repeats them.
 */
const RETRYABLE: Readonly<Record<ExtensionFailure, boolean>> = {
  [ExtensionFailure.crashed]: true,
  [ExtensionFailure.timeLimit]: true,
  [ExtensionFailure.memoryLimit]: false,
  [ExtensionFailure.outputLimit]: false,
  [ExtensionFailure.denied]: false,
  [ExtensionFailure.protocol]: false,
  [ExtensionFailure.isolation]: false,
};

/** An extension call that failed for a reason the host observed (not an error the extension threw). */
export class ExtensionCallError extends Error {
  override name = 'ExtensionCallError';
  constructor(
    readonly reason: ExtensionFailure,
    message: string,
    readonly extension: string,
  ) {
    super(message);
  }

  /** Whether another attempt may succeed (see {@link RETRYABLE}). */
  get retryable(): boolean {
    return RETRYABLE[this.reason];
  }

  /** The node's error: `extension_failed` with `{ reason, extension }` in its details. */
  toStepError(): StepError {
    return new StepError(RunErrorCode.extensionFailed, this.message, this.retryable, {
      reason: this.reason,
      extension: this.extension,
    });
  }
}

/**
 * An error the extension's own code threw (`run` rejected): its `code`, `retryable` and `details`
 * when it set them (an instrument's `instrument_failed`), `step_failed` otherwise.
 */
export class ExtensionThrewError extends Error {
  override name = 'ExtensionThrewError';
  constructor(
    message: string,
    readonly code: RunErrorCode,
    readonly retryable: boolean,
    readonly details: Readonly<Record<string, unknown>> | undefined,
  ) {
    super(message);
  }

  toStepError(): StepError {
    return new StepError(this.code, this.message, this.retryable, this.details);
  }
}
