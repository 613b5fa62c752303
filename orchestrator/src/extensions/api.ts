// What an extension's code sees: the module it exports and the call it is handed. An extension's
// entry (`manifest.entry`) is an ES module whose default export (or named `run`) implements
// `ExtensionModule`. It runs in its own sandboxed process; `call.fetch` is the only way out.
import type { CallUsage } from '@symphony/schemas';

/** Progress of a call, as a step reports it (streamed tokens in `tokens`). */
export interface ExtensionCallProgress {
  readonly fraction?: number;
  readonly message?: string;
  readonly tokens?: string;
}

/** One node attempt, as the extension sees it. */
export interface ExtensionCall {
  /** The node type's name within the extension (without `<id>/`). */
  readonly nodeType: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Each input port's values, in edge order. */
  readonly inputs: Readonly<Record<string, readonly unknown[]>>;
  readonly attempt: number;
  /** The same on a re-run after a crash: pass it to a provider to deduplicate. */
  readonly idempotencyKey: string;
  /** Aborted when the call is cancelled or timed out. */
  readonly signal: AbortSignal;
  /** The instrument's settings (base URL, model map), `{}` for other extensions. */
  readonly config: Readonly<Record<string, unknown>>;
  /**
   * The WHATWG `fetch`, relayed by the host: only hosts in `permissions.network` are reached, and
   * the host adds the declared credentials (the extension never sees a key). The body streams.
   */
  readonly fetch: typeof globalThis.fetch;
  progress(update: ExtensionCallProgress): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/** What a call returns: each output port's value, and the usage of an instrument call. */
export interface ExtensionCallResult {
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly usage?: CallUsage;
}

/**
 * An extension module. `run` may throw an `Error` with `code` (a `RunErrorCode`), `retryable` and
 * `details` properties: the node fails (or retries) with them; any other throw is `step_failed`.
 */
export interface ExtensionModule {
  run(call: ExtensionCall): Promise<ExtensionCallResult>;
}
