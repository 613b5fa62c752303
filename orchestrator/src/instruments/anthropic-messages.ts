// The Anthropic instrument: the Messages API (streamed) through the official `@anthropic-ai/sdk`.
// Runs as an extension: its only network is `call.fetch`, which adds the key. Anthropic has no
// embeddings endpoint, so `embed` is refused.
import Anthropic from '@anthropic-ai/sdk';
import type { ExtensionCall, ExtensionCallResult, ExtensionModule } from '../extensions/api.js';
import type { InstrumentCallConfig } from './call-config.js';
import { InstrumentError } from './errors.js';
import {
  type ChatRequest,
  PLACEHOLDER_API_KEY,
  type ProviderDriver,
  runInstrumentCall,
  streamCutError,
  streamEndedEarly,
  type TokenCounts,
} from './instrument-call.js';

/** The SDK client of one call: its own retries off (the executor retries), the call's fetch. */
export function anthropicClient(config: InstrumentCallConfig, fetch: typeof globalThis.fetch): Anthropic {
  return new Anthropic({
    apiKey: PLACEHOLDER_API_KEY,
    // Never an `ANTHROPIC_AUTH_TOKEN` of this process's environment: the host adds the key.
    authToken: null,
    baseURL: config.baseUrl,
    fetch,
    maxRetries: 0,
    timeout: config.timeoutMs,
    // The SDK would log a malformed event's raw text; the error says what matters.
    logLevel: 'off',
  });
}

/** The Messages wire format. */
export class AnthropicMessagesDriver implements ProviderDriver {
  private readonly client: Anthropic;
  readonly sdkErrors = Anthropic;

  constructor(
    private readonly config: InstrumentCallConfig,
    fetch: typeof globalThis.fetch,
  ) {
    this.client = anthropicClient(config, fetch);
  }

  async chat(request: ChatRequest): Promise<TokenCounts> {
    const { prompt } = request;
    const stream = await this.client.messages.create(
      {
        model: request.model,
        system: prompt.system,
        messages: [{ role: 'user', content: prompt.user }],
        max_tokens: prompt.maxTokens,
        // No `temperature`: this SDK's Messages API no longer takes one (the model chooses).
        stream: true,
      },
      { signal: request.signal },
    );
    let inputTokens = 0;
    let outputTokens = 0;
    let stopped = false;
    try {
      for await (const event of stream) {
        switch (event.type) {
          case 'message_start':
            inputTokens = event.message.usage.input_tokens;
            outputTokens = event.message.usage.output_tokens;
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta') request.onText(event.delta.text);
            break;
          case 'message_delta':
            outputTokens = event.usage.output_tokens;
            if (typeof event.usage.input_tokens === 'number') inputTokens = event.usage.input_tokens;
            break;
          case 'message_stop':
            stopped = true;
            break;
          default:
            break;
        }
      }
    } catch (error) {
      // Once the answer has begun, a broken connection is a cut stream; an error event is the provider's.
      const connection = error instanceof Anthropic.APIConnectionError;
      if (error instanceof SyntaxError || (error instanceof Anthropic.APIError && !connection)) throw error;
      throw streamCutError(this.config.instrument, error);
    }
    if (request.signal.aborted) return { inputTokens: 0, outputTokens: 0 };
    if (!stopped) throw streamEndedEarly(this.config.instrument, 'message_stop');
    return { inputTokens, outputTokens };
  }

  async embed(): Promise<never> {
    throw new InstrumentError(
      'refused',
      `${this.config.instrument}: Anthropic has no embeddings endpoint; give Embed an OpenAI-compatible instrument (or the Local model)`,
    );
  }
}

/** Runs one node attempt on Anthropic's Messages API. */
export function run(call: ExtensionCall): Promise<ExtensionCallResult> {
  return runInstrumentCall(call, (config) => new AnthropicMessagesDriver(config, call.fetch));
}

/** The extension module (`manifest.entry` of `symphony.anthropic`). */
const anthropicMessages: ExtensionModule = { run };
export default anthropicMessages;
