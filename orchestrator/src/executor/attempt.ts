// One attempt of one step: called through one guard, with a timeout and an abort signal; a step
// that ignores its aborted signal is abandoned after a grace period and its late result ignored.
import { type RunError, RunErrorCode } from '@symphony/schemas';
import { type Step, type StepContext, StepError, type StepValue } from '../steps/Step.js';
import type { Clock, ClockTimer } from './options.js';

/** Why a step's signal was aborted. */
export const AbortKind = {
  /** The run or the node was cancelled. */
  cancelled: 'cancelled',
  /** The attempt ran past its timeout (a retryable failure). */
  timeout: 'timeout',
  /** The executor is closing; the run stays resumable and the node runs again on resume. */
  shutdown: 'shutdown',
} as const;
export type AbortKind = (typeof AbortKind)[keyof typeof AbortKind];

/** The `reason` of an aborted step's `signal`: say which with `kind`. */
export class StepAbortError extends Error {
  override name = 'StepAbortError';
  constructor(
    readonly kind: AbortKind,
    message: string,
  ) {
    super(message);
  }
}

/** How an attempt ended. */
export type AttemptOutcome =
  | { readonly kind: 'succeeded'; readonly outputs: Readonly<Record<string, unknown>> }
  | { readonly kind: 'failed'; readonly error: RunError }
  /** Aborted: whatever the step did after its signal was aborted is ignored. */
  | { readonly kind: 'aborted'; readonly abort: StepAbortError };

/**
 * The life of one attempt. Create it when the node is started (so a cancellation during the cache
 * check or while `node.running` is being made durable is seen), then `run` the step. `abort` may
 * come at any time; once the step runs, an abort waits `graceMs` for it to stop and then settles
 * without it.
 */
export class StepAttempt {
  readonly #controller = new AbortController();
  #abort: StepAbortError | undefined;
  #settle: ((outcome: AttemptOutcome) => void) | undefined;
  #timeout: ClockTimer | undefined;
  #grace: ClockTimer | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly graceMs: number,
  ) {}

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The abort, once aborted (a method: it changes while a caller awaits). */
  aborted(): StepAbortError | undefined {
    return this.#abort;
  }

  /** Aborts the signal (once; later calls are ignored). */
  abort(kind: AbortKind, message: string): void {
    if (this.#abort) return;
    this.#abort = new StepAbortError(kind, message);
    this.#controller.abort(this.#abort);
    if (this.#settle) {
      const abort = this.#abort;
      this.#grace = this.clock.setTimeout(() => this.#finish({ kind: 'aborted', abort }), this.graceMs);
    }
  }

  /** Calls the step (once) with `context`, which must carry this attempt's `signal`. */
  run(step: Step, context: StepContext, timeoutMs: number): Promise<AttemptOutcome> {
    if (this.#abort) return Promise.resolve({ kind: 'aborted', abort: this.#abort });
    return new Promise<AttemptOutcome>((resolve) => {
      this.#settle = resolve;
      this.#timeout = this.clock.setTimeout(
        () => this.abort(AbortKind.timeout, `the step ran past its timeout of ${timeoutMs} ms`),
        timeoutMs,
      );
      let result: Promise<Readonly<Record<string, StepValue>>>;
      try {
        result = Promise.resolve(step.run(context));
      } catch (error) {
        result = Promise.reject(error);
      }
      result.then(
        (outputs) =>
          this.#finish(
            this.#abort ? { kind: 'aborted', abort: this.#abort } : { kind: 'succeeded', outputs },
          ),
        (error: unknown) =>
          this.#finish(
            this.#abort
              ? { kind: 'aborted', abort: this.#abort }
              : { kind: 'failed', error: toRunError(error) },
          ),
      );
    });
  }

  /** Stops the timers without settling (the executor is closing). */
  dispose(): void {
    if (this.#timeout !== undefined) this.clock.clearTimeout(this.#timeout);
    if (this.#grace !== undefined) this.clock.clearTimeout(this.#grace);
  }

  #finish(outcome: AttemptOutcome): void {
    const settle = this.#settle;
    if (settle === undefined) return;
    this.#settle = undefined;
    this.dispose();
    settle(outcome);
  }
}

const CODES: ReadonlySet<string> = new Set(Object.values(RunErrorCode));
/** A journaled message is at most this long (the `RunError` schema's limit). */
const MAX_MESSAGE = 4000;

/**
 * A thrown value as a journaled error: a `StepError` keeps its code, retryability and details
 * (details that JSON cannot hold are dropped); anything else is a `step_failed` that is not retried.
 */
export function toRunError(error: unknown): RunError {
  if (isStepError(error)) {
    const details = jsonDetails(error.details);
    return {
      code: error.code,
      message: clip(error.message || error.code),
      retryable: error.retryable === true,
      ...(details ? { details } : {}),
    };
  }
  const message = error instanceof Error ? error.message || error.name : String(error);
  return { code: RunErrorCode.stepFailed, message: clip(message), retryable: false };
}

function isStepError(error: unknown): error is StepError {
  if (error instanceof StepError) return true;
  // A StepError from another copy of this module (an extension host) is recognised by its shape.
  return (
    error instanceof Error &&
    error.name === 'StepError' &&
    typeof (error as Partial<StepError>).code === 'string' &&
    CODES.has((error as StepError).code)
  );
}

function clip(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 1)}…`;
}

function jsonDetails(details: unknown): Record<string, unknown> | undefined {
  if (details === undefined || details === null || typeof details !== 'object') return undefined;
  try {
    const text = JSON.stringify(details);
    return text.length <= 16_384 ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
