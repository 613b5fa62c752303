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
}
