// The OpenAI-compatible instrument: chat completions (streamed) and embeddings through the official
// `openai` SDK, so one module serves OpenAI, Ollama, llama.cpp's server, vLLM and LM Studio by
// base URL. Runs as an extension: its only network is `call.fetch`, which adds the key.
import OpenAI from 'openai';
import type { ExtensionCall, ExtensionCallResult, ExtensionModule } from '../extensions/api.js';
import type { InstrumentCallConfig } from './call-config.js';
import { InstrumentError } from './errors.js';
import {
  type ChatRequest,
  type EmbedRequest,
  PLACEHOLDER_API_KEY,
  type ProviderDriver,
  runInstrumentCall,
  streamCutError,
  streamEndedEarly,
  type TokenCounts,
} from './instrument-call.js';

/** Only OpenAI's own third-generation embedding models accept `dimensions`; others refuse it or ignore it. */
function takesDimensions(model: string): boolean {
  return model.startsWith('text-embedding-3');
}

/** About 4 characters a token: the estimate when a server streams no usage (no `stream_options`). */
function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The SDK client of one call: its own retries off (the executor retries), the call's fetch. */
export function openAiClient(config: InstrumentCallConfig, fetch: typeof globalThis.fetch): OpenAI {
  return new OpenAI({
    apiKey: PLACEHOLDER_API_KEY,
    baseURL: config.baseUrl,
    fetch,
    maxRetries: 0,
    timeout: config.timeoutMs,
    // Never taken from this process's environment: the instrument's config says everything.
    organization: null,
    project: null,
    // The SDK would log a malformed event's raw text; the error says what matters.
    logLevel: 'off',
  });
}

/** The chat-completions wire format. */
export class OpenAiChatDriver implements ProviderDriver {
  private readonly client: OpenAI;
  readonly sdkErrors = OpenAI;

  constructor(
    private readonly config: InstrumentCallConfig,
    private readonly call: Pick<ExtensionCall, 'fetch' | 'log'>,
  ) {
    this.client = openAiClient(config, call.fetch);
  }

  async chat(request: ChatRequest): Promise<TokenCounts> {
    const { prompt } = request;
    const stream = await this.client.chat.completions.create(
      {
        model: request.model,
        messages: [
          { role: 'system', content: prompt.system },
          { role: 'user', content: prompt.user },
        ],
        // `max_tokens`, not `max_completion_tokens`: every compatible server takes it.
        max_tokens: prompt.maxTokens,
        temperature: prompt.temperature,
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal: request.signal },
    );
    let finished = false;
    let usage: TokenCounts | undefined;
    let answered = '';
    try {
      for await (const chunk of stream) {
        for (const choice of chunk.choices) {
          const text = choice.delta?.content;
          if (typeof text === 'string' && text !== '') {
            answered += text;
            request.onText(text);
          }
          if (choice.finish_reason) finished = true;
        }
        if (chunk.usage) {
          usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
        }
      }
    } catch (error) {
      // Once the answer has begun, a broken connection is a cut stream; an error event is the provider's.
      const connection = error instanceof OpenAI.APIConnectionError;
      if (error instanceof SyntaxError || (error instanceof OpenAI.APIError && !connection)) throw error;
      throw streamCutError(this.config.instrument, error);
    }
    if (request.signal.aborted) return { inputTokens: 0, outputTokens: 0 };
    if (!finished) throw streamEndedEarly(this.config.instrument, 'a choice finished (no finish_reason)');
    if (usage !== undefined) return usage;
    this.call.log('warn', `${this.config.instrument}: the server streamed no usage; tokens are estimated`);
    const input = prompt.system.length + prompt.user.length;
    return { inputTokens: Math.ceil(input / 4), outputTokens: estimateTokens(answered) };
  }

  async embed(request: EmbedRequest): Promise<{ embedding: number[]; inputTokens: number }> {
    const answer = await this.client.embeddings.create(
      {
        model: request.model,
        input: request.text,
        encoding_format: 'float',
        ...(takesDimensions(request.model) ? { dimensions: request.dimensions } : {}),
      },
      { signal: request.signal },
    );
    const embedding = answer.data?.[0]?.embedding;
    if (!Array.isArray(embedding) || !embedding.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new InstrumentError(
        'malformed',
        `${this.config.instrument}: the embeddings answer holds no vector`,
      );
    }
    return { embedding, inputTokens: answer.usage?.prompt_tokens ?? estimateTokens(request.text) };
  }
}

/** Runs one node attempt on an OpenAI-compatible server. */
export function run(call: ExtensionCall): Promise<ExtensionCallResult> {
  return runInstrumentCall(call, (config) => new OpenAiChatDriver(config, call));
}

/** The extension module (`manifest.entry` of `symphony.openai`). */
const openAiChat: ExtensionModule = { run };
export default openAiChat;
