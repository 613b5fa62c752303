// How a provider call fails: one error class carrying the run's error code, whether the executor may
// retry, and the `InstrumentFailure` reason; and the pure rules that turn an HTTP status, its
// `retry-after` and an SDK's error into one. Messages never carry a key (see `redactKeyShapes`).
import { InstrumentFailure, RunErrorCode } from '@symphony/schemas';
import { redactKeyShapes } from '../credentials/redact.js';

/** The details of an instrument failure, as `RunError.details` carries them. */
export interface InstrumentErrorDetails {
  readonly reason: InstrumentFailure;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly [key: string]: unknown;
}

type FailureKey = keyof typeof InstrumentFailure;

/** Whether the executor may try again after a failure, by reason (malformed: see {@link malformedRetryable}). */
const RETRYABLE: Readonly<Record<FailureKey, boolean>> = {
  rateLimited: true,
  serverError: true,
  streamCut: true,
  malformed: true,
  slow: true,
  unauthorized: false,
  refused: false,
  notConfigured: false,
};

/**
 * A failed provider call, thrown from an instrument module's `run`: the extension host turns its
 * `code`, `retryable` and `details` into the node's `RunError`.
 */
export class InstrumentError extends Error {
  override name = 'InstrumentError';
  readonly code: RunErrorCode = RunErrorCode.instrumentFailed;
  readonly retryable: boolean;
  readonly details: InstrumentErrorDetails;

  constructor(
    failure: FailureKey,
    message: string,
    extra: { readonly status?: number; readonly retryAfterMs?: number; readonly retryable?: boolean } = {},
  ) {
    super(redactKeyShapes(message));
    this.retryable = extra.retryable ?? RETRYABLE[failure];
    this.details = {
      reason: InstrumentFailure[failure],
      ...(extra.status === undefined ? {} : { status: extra.status }),
      ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
    };
  }
}

/** A call stopped because the run or node was cancelled (never retried). */
export class InstrumentCancelledError extends Error {
  override name = 'InstrumentCancelledError';
  readonly code: RunErrorCode = RunErrorCode.cancelled;
  readonly retryable = false;
}

/** The node's params or inputs are not what its type promises (the executor's bug or a stale node). */
export class InstrumentInputError extends Error {
  override name = 'InstrumentInputError';
  readonly code: RunErrorCode = RunErrorCode.invalidInput;
  readonly retryable = false;
}

/**
 * A malformed answer is retried once: a proxy's glitch passes, a provider that always answers
 * malformed does not, and retrying it forever would only spend money.
 */
export function malformedRetryable(attempt: number): boolean {
  return attempt < 2;
}

/** 1 hour: a longer `retry-after` is a misconfigured provider; the executor's own limits apply. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * How long a provider asks to wait, from `retry-after-ms` (milliseconds, OpenAI's), else
 * `retry-after` (seconds, or an HTTP date); undefined when it says nothing usable.
 */
export function retryAfterMs(headers: { get(name: string): string | null }, now: number): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return clampWait(Number(ms));
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return clampWait(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : clampWait(date - now);
}

function clampWait(ms: number): number {
  return Math.round(Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)));
}

/** The failure an HTTP error status means. */
export function failureOfStatus(status: number): FailureKey {
  if (status === 429) return 'rateLimited';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status >= 500) return 'serverError';
  if (status === 408 || status === 409) return 'serverError';
  return 'refused';
}

/** 500 characters of a provider's message: enough to say what it refused, not a whole echoed prompt. */
const MAX_PROVIDER_MESSAGE = 500;

/** An HTTP error answer as an {@link InstrumentError}; `providerMessage` is what the provider said. */
export function httpError(
  instrument: string,
  status: number,
  headers: { get(name: string): string | null },
  providerMessage: string | undefined,
  now: number,
): InstrumentError {
  const failure = failureOfStatus(status);
  const wait = failure === 'rateLimited' ? retryAfterMs(headers, now) : undefined;
  const what: Record<FailureKey, string> = {
    rateLimited: 'rate limited by the provider',
    serverError: 'the provider failed',
    unauthorized: `the provider refused the key; set it with "symphony credentials set"`,
    refused: 'the provider refused the request',
    streamCut: '',
    malformed: '',
    slow: '',
    notConfigured: '',
  };
  // A 401/403 body may echo the key it refused: say nothing of it.
  const said =
    failure === 'unauthorized' || providerMessage === undefined || providerMessage === ''
      ? ''
      : `: ${providerMessage.slice(0, MAX_PROVIDER_MESSAGE)}`;
  const after = wait === undefined ? '' : ` (retry after ${wait} ms)`;
  return new InstrumentError(failure, `${instrument}: ${what[failure]} (HTTP ${status})${after}${said}`, {
    status,
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
  });
}
