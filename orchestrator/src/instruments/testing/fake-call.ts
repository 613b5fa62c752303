// An `ExtensionCall` for running an instrument module in this process, as the extension host would
// hand it inside the sandbox: `fetch` is the real one behind a wrapper that adds the credential
// header, standing in for the host's credential injection (the module never sees the key).
import type { ExtensionCall, ExtensionCallProgress } from '../../extensions/api.js';

/** A credential the stand-in host adds: header name, prefix and value. */
export interface InjectedCredential {
  readonly header: string;
  readonly prefix?: string;
  readonly value: string;
}

/** `fetch` with `credential` set on every request, overwriting what the module put there. */
export function hostFetch(credential: InjectedCredential | undefined): typeof globalThis.fetch {
  return (input, init) => {
    if (credential === undefined) return globalThis.fetch(input, init);
    const headers = new Headers(init?.headers);
    headers.set(credential.header, `${credential.prefix ?? ''}${credential.value}`);
    return globalThis.fetch(input, { ...init, headers });
  };
}

/** What a test gives a call; everything else has a default. */
export interface FakeCallOptions {
  readonly nodeType: string;
  readonly params: Record<string, unknown>;
  readonly inputs?: Record<string, readonly unknown[]>;
  readonly config: Record<string, unknown>;
  readonly fetch: typeof globalThis.fetch;
  readonly attempt?: number;
  readonly signal?: AbortSignal;
}

/** A call and what it reported: each progress update and each log line. */
export interface FakeCall {
  readonly call: ExtensionCall;
  readonly progress: ExtensionCallProgress[];
  readonly logs: string[];
  /** The streamed tokens, in the order they arrived. */
  tokens(): string[];
}

export function fakeCall(options: FakeCallOptions): FakeCall {
  const progress: ExtensionCallProgress[] = [];
  const logs: string[] = [];
  const call: ExtensionCall = {
    nodeType: options.nodeType,
    params: options.params,
    inputs: options.inputs ?? {},
    attempt: options.attempt ?? 1,
    idempotencyKey: `run-1/node-1/${options.attempt ?? 1}`,
    signal: options.signal ?? new AbortController().signal,
    config: options.config,
    fetch: options.fetch,
    progress: (update) => progress.push(update),
    log: (level, message) => logs.push(`${level}: ${message}`),
  };
  return {
    call,
    progress,
    logs,
    tokens: () => progress.flatMap((p) => (p.tokens === undefined ? [] : [p.tokens])),
  };
}
