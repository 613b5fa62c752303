// The clocks of one provider call: the node's cancellation, the first-token timeout and the whole
// call's timeout, folded into one AbortSignal for the SDK, remembering which of them fired, since an
// SDK that is aborted mid-stream just ends the stream quietly.
import { InstrumentCancelledError, InstrumentError } from './errors.js';

/** Why a call was stopped from our side. */
export type StopReason = 'cancelled' | 'first-token' | 'timeout';

/** Timers as {@link CallDeadline} uses them; tests pass fakes. */
export interface DeadlineTimers {
  setTimeout(handler: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: DeadlineTimers = {
  setTimeout: (handler, ms) => setTimeout(handler, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** One call's deadlines; {@link dispose} it when the call ends, however it ends. */
export class CallDeadline {
  private readonly controller = new AbortController();
  private firstTokenTimer: unknown;
  private readonly callTimer: unknown;
  private stopReason: StopReason | undefined;
  private readonly onCancel = () => this.stop('cancelled');
  private readonly cancelSignal: AbortSignal;

  constructor(
    private readonly instrument: string,
    cancel: AbortSignal,
    private readonly limits: { readonly firstTokenMs: number; readonly callMs: number },
    private readonly timers: DeadlineTimers = realTimers,
  ) {
    if (cancel.aborted) this.stop('cancelled');
    else cancel.addEventListener('abort', this.onCancel, { once: true });
    this.cancelSignal = cancel;
    this.firstTokenTimer = timers.setTimeout(() => this.stop('first-token'), limits.firstTokenMs);
    this.callTimer = timers.setTimeout(() => this.stop('timeout'), limits.callMs);
  }

  /** Aborted when any deadline passes or the call is cancelled. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Which deadline stopped the call, if one did. */
  get stopped(): StopReason | undefined {
    return this.stopReason;
  }

  /** The first token arrived: the first-token deadline no longer applies. */
  firstToken(): void {
    if (this.firstTokenTimer === undefined) return;
    this.timers.clearTimeout(this.firstTokenTimer);
    this.firstTokenTimer = undefined;
  }

  /** Throws the error of the deadline that stopped the call, if one did. */
  throwIfStopped(): void {
    const error = this.stopError();
    if (error !== undefined) throw error;
  }

  /** The error of the deadline that stopped the call, if one did. */
  stopError(): Error | undefined {
    switch (this.stopReason) {
      case undefined:
        return undefined;
      case 'cancelled':
        return new InstrumentCancelledError(`${this.instrument}: the call was cancelled`);
      case 'first-token':
        return new InstrumentError(
          'slow',
          `${this.instrument}: no first token within ${this.limits.firstTokenMs} ms (firstTokenTimeoutMs)`,
        );
      case 'timeout':
        return new InstrumentError(
          'slow',
          `${this.instrument}: the answer did not complete within ${this.limits.callMs} ms (timeoutMs)`,
        );
    }
  }

  dispose(): void {
    this.firstToken();
    this.timers.clearTimeout(this.callTimer);
    this.cancelSignal.removeEventListener('abort', this.onCancel);
  }

  private stop(reason: StopReason): void {
    if (this.stopReason !== undefined) return;
    this.stopReason = reason;
    this.controller.abort(reason);
  }
}
