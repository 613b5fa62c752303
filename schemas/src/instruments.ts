// AI instruments: which providers a user has configured, what their models cost, and what the router
// knows about each (the numbers `symphony instruments stats` prints).
import { z } from 'zod';

/** The wire formats Symphony speaks to model providers. */
export const ProviderApi = z.enum([
  /** OpenAI's chat completions (and embeddings): OpenAI, Ollama, llama.cpp's server, vLLM, LM Studio. */
  'openai-chat',
  /** Anthropic's Messages API. */
  'anthropic-messages',
]);
export type ProviderApi = z.infer<typeof ProviderApi>;

/** Price of a model in US dollars per million tokens. */
export const ModelPrice = z.object({
  inputPerMTok: z.number().nonnegative(),
  outputPerMTok: z.number().nonnegative(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

/**
 * List prices (US$ per million tokens) of the models the node library names, keyed by the
 * provider's model id. An instrument's own `prices` override these; a model in neither has no cost.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'text-embedding-3-small': { inputPerMTok: 0.02, outputPerMTok: 0 },
  'text-embedding-3-large': { inputPerMTok: 0.13, outputPerMTok: 0 },
};

/** The cost of `usage` at `price`, in US dollars. */
export function costOf(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  return (inputTokens * price.inputPerMTok + outputTokens * price.outputPerMTok) / 1_000_000;
}

/** An instrument's id: `openai`, `ollama`, `anthropic-work`. */
export const InstrumentId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'instrument id: lowercase letters, digits and "-", at most 40');
export type InstrumentId = z.infer<typeof InstrumentId>;

/**
 * One configured instrument: a provider endpoint and the models it serves. Kept in the user's
 * config folder (`instruments.json`), never in a synced document; its key is in the credential store.
 */
export const InstrumentConfig = z.object({
  id: InstrumentId,
  api: ProviderApi,
  /** e.g. `https://api.openai.com/v1`, `http://localhost:11434/v1`, `https://api.anthropic.com`. */
  baseUrl: z.string().url().max(2048),
  /** Name of its key in the credential store; absent for a local server without one (Ollama). */
  credential: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/)
    .optional(),
  /**
   * The node library's model names this instrument serves, each mapped to the provider's model id
   * (`{ "gpt-4o": "gpt-4o", "local-llama": "llama3.1:8b" }`).
   */
  models: z.record(z.string().max(100), z.string().min(1).max(200)).refine((m) => Object.keys(m).length > 0, {
    message: 'an instrument serves at least one model',
  }),
  /** Prices by provider model id, overriding {@link DEFAULT_PRICES}. */
  prices: z.record(z.string().max(200), ModelPrice).default({}),
  /** Calls at once and per minute; the router never exceeds them. */
  maxConcurrent: z.number().int().min(1).max(1000).default(8),
  requestsPerMinute: z.number().int().min(1).max(1_000_000).default(600),
  /** Per-call timeout, ms. */
  timeoutMs: z.number().int().min(1000).max(3_600_000).default(120_000),
});
export type InstrumentConfig = z.infer<typeof InstrumentConfig>;
export type InstrumentConfigInput = z.input<typeof InstrumentConfig>;

/** `instruments.json`. */
export const InstrumentsFile = z.object({
  version: z.literal(1).default(1),
  instruments: z.array(InstrumentConfig).max(100).default([]),
});
export type InstrumentsFile = z.infer<typeof InstrumentsFile>;

/** The special model value that lets the router choose among every instrument serving the node. */
export const AUTO_MODEL = 'auto';

/** A routing arm: one model on one instrument. Written `instrument/model`. */
export const ArmId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}\/.{1,100}$/, 'arm id: instrument/model');
export type ArmId = z.infer<typeof ArmId>;

/** What an outcome says about one call, as the router learns from it. */
export const CallOutcome = z.object({
  arm: ArmId,
  /** The task family (node type), so an arm good at summaries need not be good at code review. */
  task: z.string().max(100),
  /** The output passed the node's validation (and no error). */
  success: z.boolean(),
  latencyMs: z.number().nonnegative(),
  costUsd: z.number().nonnegative(),
  at: z.number().int().nonnegative(),
});
export type CallOutcome = z.infer<typeof CallOutcome>;

/** A user's rating of one node's output (`symphony instruments rate <run> <node> good|bad`). */
export const CallRating = z.object({
  arm: ArmId,
  task: z.string().max(100),
  good: z.boolean(),
  at: z.number().int().nonnegative(),
});
export type CallRating = z.infer<typeof CallRating>;

/** One arm as the router sees it for one task: `symphony instruments stats` prints these. */
export const ArmStats = z.object({
  arm: ArmId,
  task: z.string(),
  /** Beta posterior of quality (successes + 1, failures + 1 with the uniform prior). */
  alpha: z.number().positive(),
  beta: z.number().positive(),
  pulls: z.number().int().nonnegative(),
  meanLatencyMs: z.number().nonnegative(),
  meanCostUsd: z.number().nonnegative(),
});
export type ArmStats = z.infer<typeof ArmStats>;

/** Why the router chose what it chose, in words and numbers. */
export const RoutingDecision = z.object({
  task: z.string(),
  chosen: ArmId,
  /** `pinned`: the node named its instrument; `only`: one arm could serve; `learned`: sampled. */
  reason: z.enum(['pinned', 'only', 'learned', 'exploring']),
  /** Each candidate's expected quality, mean latency and cost, and its sampled score. */
  candidates: z.array(
    z.object({
      arm: ArmId,
      expectedQuality: z.number(),
      meanLatencyMs: z.number(),
      meanCostUsd: z.number(),
      score: z.number(),
    }),
  ),
});
export type RoutingDecision = z.infer<typeof RoutingDecision>;

/** Why a provider call failed, in `RunError.details.reason` of an instrument node. */
export const InstrumentFailure = {
  /** 429: the provider's rate limit; retried after its `retry-after`. */
  rateLimited: 'rate-limited',
  /** 5xx or a connection error. */
  serverError: 'server-error',
  /** The stream ended before its final event. */
  streamCut: 'stream-cut',
  /** An event or body that does not parse as the wire format says. */
  malformed: 'malformed',
  /** No first token within the timeout. */
  slow: 'slow',
  /** 401/403: the key is missing, wrong or not allowed. */
  unauthorized: 'unauthorized',
  /** 400/404/422: the provider refused the request (unknown model, too long). */
  refused: 'refused',
  /** No instrument is configured for the node's model. */
  notConfigured: 'not-configured',
} as const;
export type InstrumentFailure = (typeof InstrumentFailure)[keyof typeof InstrumentFailure];
