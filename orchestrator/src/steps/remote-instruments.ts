// The remote instruments port: what runs an instrument node whose model is not `local` — the
// configured AI providers, chosen by the router, each in its own sandboxed extension process.
import type { StepContext, StepValue } from './Step.js';

/** The user's configured AI instruments, as the instrument steps call them. */
export interface RemoteInstruments {
  /**
   * Runs the node of `context` (of node type `nodeType`, asking for `model`, the node library's
   * name or `auto`) on the instrument the router picks, or the one the node pins. Streams tokens to
   * `context.progress` and reports usage with `context.reportUsage`. Throws a `StepError`:
   * `needs_instrument` when no configured instrument serves the model, `instrument_failed` or
   * `extension_failed` for the call's own failures.
   */
  run(nodeType: string, model: string, context: StepContext): Promise<Readonly<Record<string, StepValue>>>;
  /**
   * The longest one call may take, waiting for a process and the instrument's own time limit
   * included: an instrument node's attempt gets at least this long, so an instrument configured
   * for long calls fails with its own verdict (`slow`), not the executor's timeout.
   */
  readonly callTimeoutMs?: number;
}

/** The executor's default per-attempt timeout (see `defaultExecutorLimits`), below which nothing is lowered. */
const DEFAULT_ATTEMPT_MS = 10 * 60 * 1000;

/** The per-attempt timeout of a step that may call `remote`: undefined leaves the executor's default. */
export function remoteStepTimeout(remote: RemoteInstruments | undefined): number | undefined {
  const needed = remote?.callTimeoutMs;
  return needed !== undefined && needed > DEFAULT_ATTEMPT_MS ? needed : undefined;
}
