// One instrument call, whatever the wire format: read the config and the model, build the prompt,
// stream the answer into the node's progress under the call's deadlines, turn the answer into the
// node's outputs and report usage and cost. Each wire format is a `ProviderDriver`.
import type { CallUsage } from '@symphony/schemas';
import type { ExtensionCall, ExtensionCallResult } from '../extensions/api.js';
import { costOfCall, type InstrumentCallConfig, parseCallConfig, providerModel } from './call-config.js';
import { CallDeadline } from './deadline.js';
import {
  httpError,
  InstrumentCancelledError,
  InstrumentError,
  InstrumentInputError,
  malformedRetryable,
} from './errors.js';
import {
  type ChatPrompt,
  chatOutputs,
  chatPrompt,
  EMBED_NODE_TYPE,
  isChatNodeType,
  nodeParams,
  textOf,
} from './prompts.js';

/**
 * The SDKs demand a key; the extension host overwrites the header with the real one, so the module
 * never holds it. A local server without a key (Ollama) ignores it.
 */
export const PLACEHOLDER_API_KEY = 'symphony-host-injects-key';

/** Tokens one provider call used. */
export interface TokenCounts {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** One chat request as a driver sends it. */
export interface ChatRequest {
  readonly model: string;
  readonly prompt: ChatPrompt;
  readonly signal: AbortSignal;
  /** Called with each text delta, in order. */
  onText(text: string): void;
}

/** One embeddings request. */
export interface EmbedRequest {
  readonly model: string;
  readonly text: string;
  readonly dimensions: number;
  readonly signal: AbortSignal;
}

/** A wire format: how a chat (and an embedding) goes to the provider through the call's fetch. */
export interface ProviderDriver {
  /** Streams the answer through `onText`; throws `stream-cut` when the stream ends before its final event. */
  chat(request: ChatRequest): Promise<TokenCounts>;
  embed(request: EmbedRequest): Promise<{ readonly embedding: number[]; readonly inputTokens: number }>;
  /** Its SDK's error classes, to name what it throws. */
  readonly sdkErrors: SdkErrorClasses;
}

/** Makes the driver of one call. */
export type DriverFactory = (config: InstrumentCallConfig, call: ExtensionCall) => ProviderDriver;

/** Runs `call` on the driver `makeDriver` makes; `now` is the clock for `retry-after` dates. */
export async function runInstrumentCall(
  call: ExtensionCall,
  makeDriver: DriverFactory,
  now: () => number = Date.now,
): Promise<ExtensionCallResult> {
  const config = parseCallConfig(call.config);
  const model = providerModel(config, call.params.model);
  const driver = makeDriver(config, call);
  const deadline = new CallDeadline(config.instrument, call.signal, {
    firstTokenMs: config.firstTokenTimeoutMs,
    callMs: config.timeoutMs,
  });
  const started = performance.now();
  const spent: Spent = { streamedChars: 0 };
  const usageOf = (tokens: TokenCounts): CallUsage => {
    const costUsd = costOfCall(config, model, tokens.inputTokens, tokens.outputTokens);
    return {
      instrument: config.instrument,
      model,
      inputTokens: tokens.inputTokens,
      outputTokens: tokens.outputTokens,
      ...(costUsd === undefined ? {} : { costUsd }),
      latencyMs: performance.now() - started,
    };
  };
  try {
    deadline.throwIfStopped();
    const { outputs, tokens } = await callDriver(call, driver, model, deadline, spent);
    return { outputs, usage: usageOf(tokens) };
  } catch (error) {
    const failure =
      deadline.stopError() ?? asInstrumentError(config.instrument, driver, error, call.attempt, now());
    // A call that failed after the provider answered was still paid for: the tokens it reported, or
    // (a stream cut short) the streamed text at ~4 characters a token.
    const tokens =
      spent.tokens ??
      (spent.streamedChars > 0
        ? { inputTokens: 0, outputTokens: Math.ceil(spent.streamedChars / 4) }
        : undefined);
    if (
      tokens !== undefined &&
      'details' in failure &&
      typeof failure.details === 'object' &&
      failure.details !== null
    ) {
      (failure.details as { usage?: CallUsage }).usage = usageOf(tokens);
    }
    throw failure;
  } finally {
    deadline.dispose();
  }
}

/** What a call has cost so far, for a failure to report. */
interface Spent {
  streamedChars: number;
  tokens?: TokenCounts;
}

async function callDriver(
  call: ExtensionCall,
  driver: ProviderDriver,
  model: string,
  deadline: CallDeadline,
  spent: Spent,
): Promise<{ outputs: Record<string, unknown>; tokens: TokenCounts }> {
  const type = call.nodeType;
  if (type === EMBED_NODE_TYPE) {
    const { dimensions } = nodeParams(type, call.params);
    const text = textOf(type, call.inputs, 'text');
    const answer = await driver.embed({ model, text, dimensions, signal: deadline.signal });
    spent.tokens = { inputTokens: answer.inputTokens, outputTokens: 0 };
    deadline.throwIfStopped();
    return {
      outputs: { embedding: answer.embedding },
      tokens: { inputTokens: answer.inputTokens, outputTokens: 0 },
    };
  }
  if (!isChatNodeType(type)) {
    throw new InstrumentInputError(`an AI instrument cannot run node type "${type}"`);
  }
  const prompt = chatPrompt(type, call.params, call.inputs);
  let answer = '';
  const tokens = await driver.chat({
    model,
    prompt,
    signal: deadline.signal,
    onText(text) {
      if (text === '') return;
      deadline.firstToken();
      answer += text;
      spent.streamedChars += text.length;
      call.progress({ tokens: text });
    },
  });
  spent.tokens = tokens;
  // An SDK aborted mid-stream ends the stream quietly: a deadline may have cut the answer short.
  deadline.throwIfStopped();
  return { outputs: chatOutputs(type, call.params, answer, call.attempt), tokens };
}

/** Errors already named pass through; an SDK's error is classified by its shape. */
function asInstrumentError(
  instrument: string,
  driver: ProviderDriver,
  error: unknown,
  attempt: number,
  now: number,
): Error {
  if (
    error instanceof InstrumentError ||
    error instanceof InstrumentCancelledError ||
    error instanceof InstrumentInputError
  ) {
    return error;
  }
  return classifySdkError(instrument, driver.sdkErrors, error, attempt, now);
}

/** An SDK's error class (its constructor's arguments do not matter here). */
type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The error classes of the `openai` or `@anthropic-ai/sdk` client. Both share one hierarchy:
 * `APIError` (with `status`, `headers` and the provider's body in `error`), and under it
 * `APIConnectionError` and its `APIConnectionTimeoutError`. Their `name` is plain `Error`, so they
 * are told apart by class.
 */
export interface SdkErrorClasses {
  readonly APIError: ErrorClass;
  readonly APIConnectionError: ErrorClass;
  readonly APIConnectionTimeoutError: ErrorClass;
}

interface ApiErrorShape {
  readonly status?: unknown;
  readonly headers?: unknown;
  readonly error?: unknown;
  readonly cause?: unknown;
}

/** An error an SDK threw as an {@link InstrumentError}. */
export function classifySdkError(
  instrument: string,
  sdk: SdkErrorClasses,
  error: unknown,
  attempt: number,
  now: number,
): InstrumentError {
  if (error instanceof sdk.APIConnectionTimeoutError) {
    return new InstrumentError('slow', `${instrument}: the provider did not answer in time`);
  }
  if (error instanceof sdk.APIConnectionError) {
    return new InstrumentError(
      'serverError',
      `${instrument}: could not reach the provider: ${causeOf(error) ?? error.message}`,
    );
  }
  if (error instanceof sdk.APIError) {
    const e = error as ApiErrorShape;
    if (typeof e.status === 'number' && isHeaders(e.headers)) {
      return httpError(instrument, e.status, e.headers, providerMessage(e.error), now);
    }
    // An error event inside the stream (`event: error`, `data: {"error": …}`): it failed mid-answer.
    return new InstrumentError(
      'serverError',
      `${instrument}: the provider failed mid-answer: ${providerMessage(e.error) ?? error.message}`,
    );
  }
  if (error instanceof SyntaxError) {
    return new InstrumentError('malformed', `${instrument}: the provider sent an event that is not JSON`, {
      retryable: malformedRetryable(attempt),
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new InstrumentError('serverError', `${instrument}: ${message}`);
}

/** The error a stream's reader threw once the answer had begun: the connection broke mid-answer. */
export function streamCutError(instrument: string, error: unknown): InstrumentError {
  const cause = causeOf(error);
  const why = cause ?? (error instanceof Error ? error.message : String(error));
  return new InstrumentError('streamCut', `${instrument}: the answer's stream broke off (${why})`);
}

/** The stream ended before its final event. */
export function streamEndedEarly(instrument: string, missing: string): InstrumentError {
  return new InstrumentError('streamCut', `${instrument}: the answer's stream ended before ${missing}`);
}

function isHeaders(value: unknown): value is { get(name: string): string | null } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { get?: unknown }).get === 'function'
  );
}

/** What a provider's error body says: OpenAI's `{ message }`, Anthropic's `{ error: { message } }`. */
function providerMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return typeof body === 'string' ? body : undefined;
  const b = body as { message?: unknown; error?: { message?: unknown } };
  if (typeof b.message === 'string') return b.message;
  if (typeof b.error?.message === 'string') return b.error.message;
  return undefined;
}

function causeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const cause = (error as ApiErrorShape).cause as
    | { message?: unknown; code?: unknown; cause?: unknown }
    | undefined;
  if (cause === undefined || cause === null) return undefined;
  const inner = cause.cause as { message?: unknown } | undefined;
  if (typeof inner?.message === 'string') return inner.message;
  if (typeof cause.message === 'string') return cause.message;
  return typeof cause.code === 'string' ? cause.code : undefined;
}
