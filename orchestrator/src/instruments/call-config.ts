// What an instrument module is configured with (`call.config`): the provider endpoint, the model map,
// prices and timeouts of one configured instrument, and the provider model the router chose.
import { costOf, DEFAULT_PRICES, type InstrumentConfig, InstrumentId, ModelPrice } from '@symphony/schemas';
import { z } from 'zod';
import { InstrumentError } from './errors.js';

/** 30 s: a provider that has not sent a first token by then is stuck, not thinking. */
export const DEFAULT_FIRST_TOKEN_TIMEOUT_MS = 30_000;

/** `call.config` of an instrument call. */
export const InstrumentCallConfig = z.object({
  /** The configured instrument's id, reported in usage. */
  instrument: InstrumentId,
  baseUrl: z.string().url().max(2048),
  /** Node-library model name → provider model id. */
  models: z.record(z.string().max(100), z.string().min(1).max(200)).default({}),
  /** Prices by provider model id, overriding {@link DEFAULT_PRICES}. */
  prices: z.record(z.string().max(200), ModelPrice).default({}),
  /** The whole call, from the request to the last token. */
  timeoutMs: z.number().int().min(1).max(3_600_000).default(120_000),
  /** From the request to the first token (or, for embeddings, to the answer's head). */
  firstTokenTimeoutMs: z.number().int().min(1).max(3_600_000).default(DEFAULT_FIRST_TOKEN_TIMEOUT_MS),
  /** The provider model id to call, when the router (or the lead) chose one; else `params.model` is mapped. */
  model: z.string().min(1).max(200).optional(),
});
export type InstrumentCallConfig = z.infer<typeof InstrumentCallConfig>;
export type InstrumentCallConfigInput = z.input<typeof InstrumentCallConfig>;

/** `call.config` for a configured instrument, as the host hands it to the module. */
export function callConfigOf(config: InstrumentConfig, model?: string): InstrumentCallConfigInput {
  return {
    instrument: config.id,
    baseUrl: config.baseUrl,
    models: config.models,
    prices: config.prices,
    timeoutMs: config.timeoutMs,
    ...(model === undefined ? {} : { model }),
  };
}

/** Parses `call.config`; a wrong one is the lead's bug, reported as `not-configured`. */
export function parseCallConfig(raw: unknown): InstrumentCallConfig {
  const parsed = InstrumentCallConfig.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new InstrumentError(
    'notConfigured',
    `the instrument's config is invalid: ${z.prettifyError(parsed.error)}`,
  );
}

/** The provider model id a call goes to: `config.model`, else the mapping of the node's model name. */
export function providerModel(config: InstrumentCallConfig, nodeModel: unknown): string {
  if (config.model !== undefined) return config.model;
  const name = typeof nodeModel === 'string' ? nodeModel : '';
  const mapped = Object.hasOwn(config.models, name) ? config.models[name] : undefined;
  if (mapped !== undefined) return mapped;
  const served = Object.keys(config.models).join(', ') || 'none';
  throw new InstrumentError(
    'notConfigured',
    `instrument "${config.instrument}" does not serve model "${name}" (it serves: ${served})`,
  );
}

/** The cost of a call in US dollars, from the instrument's prices, else the defaults; undefined when unpriced. */
export function costOfCall(
  config: InstrumentCallConfig,
  model: string,
  inputTokens: number,
  outputTokens: number,
): number | undefined {
  const price = Object.hasOwn(config.prices, model)
    ? config.prices[model]
    : Object.hasOwn(DEFAULT_PRICES, model)
      ? DEFAULT_PRICES[model]
      : undefined;
  return price === undefined ? undefined : costOf(price, inputTokens, outputTokens);
}
