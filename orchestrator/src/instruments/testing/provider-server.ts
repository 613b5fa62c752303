// A local model provider for tests and benches: a real HTTP server on 127.0.0.1 that speaks OpenAI's
// chat completions and embeddings and Anthropic's Messages exactly as they are on the wire (JSON and
// SSE streams, usage, error bodies), answers deterministically, checks each request's shape and key,
// and fails on demand: 429 with retry-after, 500, a stream cut mid-way, malformed SSE, a slow first
// token, a refused key.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  AnthropicBody,
  answerDeltas,
  countTokens,
  OpenAiChatBody,
  OpenAiEmbeddingsBody,
  testEmbedding,
  textOf,
} from './provider-wire.js';

export { answerDeltas, countTokens, testEmbedding };

/** A scripted failure of the next request. */
export type ProviderFault =
  /** 429 with `retry-after` (seconds or an HTTP date) and/or `retry-after-ms`. */
  | { readonly kind: '429'; readonly retryAfter?: number | string; readonly retryAfterMs?: number }
  | { readonly kind: '500' }
  | { readonly kind: '401' }
  /** A stream cut after `afterTokens` text deltas: the socket reset (default) or the body ended early. */
  | { readonly kind: 'cut'; readonly afterTokens?: number; readonly mode?: 'reset' | 'end' }
  /** An SSE event whose data is not JSON, after the first text delta. */
  | { readonly kind: 'malformed' }
  /** The head and opening events at once, then `ms` of silence before the first token. */
  | { readonly kind: 'slow'; readonly ms: number };

/** Which endpoint a request went to. */
export type ProviderEndpoint = 'openai-chat' | 'openai-embeddings' | 'anthropic-messages';

/** A request as the server received it. */
export interface RecordedRequest {
  readonly endpoint: ProviderEndpoint;
  readonly path: string;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** The answer text for a request whose last user message is `userText`. */
export type Answerer = (userText: string, request: RecordedRequest) => string;

export interface ProviderServerOptions {
  /** The key every request must carry (`Bearer` for OpenAI, `x-api-key` for Anthropic). */
  readonly apiKey?: string;
  /** The answer; default: "You said: " and the first words of the last user message. */
  readonly answer?: Answerer;
}

const defaultAnswer: Answerer = (userText) =>
  `You said: ${userText.split(/\s+/).filter(Boolean).slice(0, 8).join(' ')}`;

/** What one answer streams: its deltas and its token counts. */
interface Answer {
  readonly model: string;
  readonly deltas: readonly string[];
  readonly text: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** The provider test server. `start()` it, point an instrument at {@link openAiBaseUrl} or {@link anthropicBaseUrl}. */
export class ProviderTestServer {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  private readonly faults: ProviderFault[] = [];
  private answerer: Answerer;
  private readonly apiKey: string;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  private constructor(
    private readonly server: Server,
    options: ProviderServerOptions,
  ) {
    this.apiKey = options.apiKey ?? 'test-key';
    this.answerer = options.answer ?? defaultAnswer;
  }

  /** Starts a server on 127.0.0.1 on a free port. */
  static async start(options: ProviderServerOptions = {}): Promise<ProviderTestServer> {
    const server = createServer();
    const provider = new ProviderTestServer(server, options);
    server.on('request', (req, res) => {
      provider.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return provider;
  }

  /** `127.0.0.1:<port>`, as an extension's network grant names it. */
  get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get url(): string {
    return `http://${this.host}`;
  }

  /** The base URL the `openai` SDK takes (with `/v1`). */
  get openAiBaseUrl(): string {
    return `${this.url}/v1`;
  }

  /** The base URL the Anthropic SDK takes (without `/v1`). */
  get anthropicBaseUrl(): string {
    return this.url;
  }

  /** The next requests fail as `faults` say, one fault per request, in order. */
  failNext(...faults: ProviderFault[]): void {
    this.faults.push(...faults);
  }

  /** Answers later requests with `answer` (a fixed text, or computed from the last user message). */
  answerWith(answer: string | Answerer): void {
    this.answerer = typeof answer === 'string' ? () => answer : answer;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const endpoint = ENDPOINTS[`${req.method} ${path}`];
    if (endpoint === undefined) {
      sendJson(res, 404, {
        error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' },
      });
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(', ') : (value ?? ''),
      ]),
    );
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      this.sendError(res, endpoint, 400, 'invalid_request_error', 'the body is not JSON');
      return;
    }
    const request: RecordedRequest = { endpoint, path, headers, body };
    this.requests.push(request);
    if (!this.authorized(request)) {
      const got = endpoint === 'anthropic-messages' ? headers['x-api-key'] : headers.authorization;
      // Worse than any real provider: the refused key is echoed whole, to prove clients never show it.
      this.sendError(
        res,
        endpoint,
        401,
        'authentication_error',
        `Incorrect API key provided: ${got ?? '(none)'}`,
      );
      return;
    }
    const fault = this.faults.shift();
    if (fault !== undefined && this.sendFaultHead(res, endpoint, fault)) return;
    if (endpoint === 'openai-chat') this.openAiChat(res, request, fault);
    else if (endpoint === 'openai-embeddings') this.openAiEmbeddings(res, request);
    else this.anthropicMessages(res, request, fault);
  }

  private authorized(request: RecordedRequest): boolean {
    if (request.endpoint === 'anthropic-messages') return request.headers['x-api-key'] === this.apiKey;
    return request.headers.authorization === `Bearer ${this.apiKey}`;
  }

  /** Answers a fault that replaces the whole answer (an error status); true when it did. */
  private sendFaultHead(res: ServerResponse, endpoint: ProviderEndpoint, fault: ProviderFault): boolean {
    switch (fault.kind) {
      case '429': {
        const headers: Record<string, string> = {};
        if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
        if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
        this.sendError(res, endpoint, 429, 'rate_limit_error', 'Rate limit reached for requests', headers);
        return true;
      }
      case '500':
        this.sendError(
          res,
          endpoint,
          500,
          'api_error',
          'The server had an error while processing your request.',
        );
        return true;
      case '401':
        this.sendError(res, endpoint, 401, 'authentication_error', 'invalid x-api-key');
        return true;
      default:
        return false;
    }
  }

  /** An error in the endpoint's own format: OpenAI's `{ error: { … } }`, Anthropic's `{ type: 'error', … }`. */
  private sendError(
    res: ServerResponse,
    endpoint: ProviderEndpoint,
    status: number,
    type: string,
    message: string,
    headers: Record<string, string> = {},
  ): void {
    if (endpoint === 'anthropic-messages') {
      sendJson(
        res,
        status,
        { type: 'error', error: { type, message } },
        { 'request-id': 'req_test', ...headers },
      );
      return;
    }
    const openAiType = status === 401 ? 'invalid_request_error' : status >= 500 ? 'server_error' : type;
    const code = status === 401 ? 'invalid_api_key' : status === 429 ? 'rate_limit_exceeded' : null;
    sendJson(
      res,
      status,
      { error: { message, type: openAiType, param: null, code } },
      { 'x-request-id': 'req_test', ...headers },
    );
  }

  private answer(
    request: RecordedRequest,
    model: string,
    texts: readonly string[],
    userText: string,
  ): Answer {
    const text = this.answerer(userText, request);
    const deltas = answerDeltas(text);
    return {
      model,
      deltas,
      text,
      inputTokens: texts.reduce((n, t) => n + countTokens(t), 0),
      outputTokens: deltas.length,
    };
  }

  private openAiChat(res: ServerResponse, request: RecordedRequest, fault: ProviderFault | undefined): void {
    const parsed = OpenAiChatBody.safeParse(request.body);
    if (!parsed.success) {
      this.sendError(res, 'openai-chat', 400, 'invalid_request_error', z.prettifyError(parsed.error));
      return;
    }
    const body = parsed.data;
    if (body.model.startsWith('missing-')) {
      sendJson(res, 404, {
        error: {
          message: `The model \`${body.model}\` does not exist or you do not have access to it.`,
          type: 'invalid_request_error',
          param: null,
          code: 'model_not_found',
        },
      });
      return;
    }
    const texts = body.messages.map((m) => textOf(m.content));
    const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
    const answer = this.answer(request, body.model, texts, textOf(lastUser?.content));
    const usage = {
      prompt_tokens: answer.inputTokens,
      completion_tokens: answer.outputTokens,
      total_tokens: answer.inputTokens + answer.outputTokens,
    };
    const base = {
      id: 'chatcmpl-test',
      created: 1_700_000_000,
      model: body.model,
      system_fingerprint: 'fp_test',
    };
    if (body.stream !== true) {
      sendJson(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: answer.text, refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage,
      });
      return;
    }
    const withUsage = body.stream_options?.include_usage === true;
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(withUsage ? { usage: null } : {}) })}\n\n`;
    const opening = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
    const deltas = answer.deltas.map((text) => chunk({ content: text }, null));
    const closing = [chunk({}, 'stop')];
    if (withUsage)
      closing.push(
        `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`,
      );
    closing.push('data: [DONE]\n\n');
    this.stream(
      res,
      { opening, deltas, closing, malformed: 'data: {"id":"chatcmpl-test","choices":[{"delta":\n\n' },
      fault,
    );
  }

  private openAiEmbeddings(res: ServerResponse, request: RecordedRequest): void {
    const parsed = OpenAiEmbeddingsBody.safeParse(request.body);
    if (!parsed.success) {
      this.sendError(res, 'openai-embeddings', 400, 'invalid_request_error', z.prettifyError(parsed.error));
      return;
    }
    const body = parsed.data;
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    const data = inputs.map((text, index) => {
      const vector = testEmbedding(text, body.dimensions ?? 8);
      const embedding =
        body.encoding_format === 'base64'
          ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
          : vector;
      return { object: 'embedding', index, embedding };
    });
    const tokens = inputs.reduce((n, t) => n + countTokens(t), 0);
    sendJson(res, 200, {
      object: 'list',
      data,
      model: body.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  private anthropicMessages(
    res: ServerResponse,
    request: RecordedRequest,
    fault: ProviderFault | undefined,
  ): void {
    if (!request.headers['anthropic-version']) {
      this.sendError(
        res,
        'anthropic-messages',
        400,
        'invalid_request_error',
        'anthropic-version: header is required',
      );
      return;
    }
    const parsed = AnthropicBody.safeParse(request.body);
    if (!parsed.success) {
      this.sendError(res, 'anthropic-messages', 400, 'invalid_request_error', z.prettifyError(parsed.error));
      return;
    }
    const body = parsed.data;
    if (body.model.startsWith('missing-')) {
      this.sendError(res, 'anthropic-messages', 404, 'not_found_error', `model: ${body.model}`);
      return;
    }
    const texts = [textOf(body.system), ...body.messages.map((m) => textOf(m.content))];
    const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
    const answer = this.answer(request, body.model, texts, textOf(lastUser?.content));
    const message = {
      id: 'msg_test',
      type: 'message',
      role: 'assistant',
      model: body.model,
      stop_sequence: null,
    };
    if (body.stream !== true) {
      sendJson(res, 200, {
        ...message,
        content: [{ type: 'text', text: answer.text }],
        stop_reason: 'end_turn',
        usage: { input_tokens: answer.inputTokens, output_tokens: answer.outputTokens },
      });
      return;
    }
    const event = (name: string, data: object) =>
      `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
    const opening = [
      event('message_start', {
        message: {
          ...message,
          content: [],
          stop_reason: null,
          usage: { input_tokens: answer.inputTokens, output_tokens: 1 },
        },
      }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      event('ping', {}),
    ];
    const deltas = answer.deltas.map((text) =>
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
    );
    const closing = [
      event('content_block_stop', { index: 0 }),
      event('message_delta', {
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: answer.outputTokens },
      }),
      event('message_stop', {}),
    ];
    this.stream(
      res,
      {
        opening,
        deltas,
        closing,
        malformed: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{\n\n',
      },
      fault,
    );
  }

  /** Writes an SSE answer, applying a stream fault (cut, malformed, slow). */
  private stream(
    res: ServerResponse,
    events: {
      opening: readonly string[];
      deltas: readonly string[];
      closing: readonly string[];
      malformed: string;
    },
    fault: ProviderFault | undefined,
  ): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    for (const e of events.opening) res.write(e);
    const cutAt = fault?.kind === 'cut' ? Math.min(fault.afterTokens ?? 1, events.deltas.length) : -1;
    const cut = () => {
      if (fault?.kind === 'cut' && fault.mode === 'end') res.end();
      // An SSE comment, then the socket reset once what came before has reached the client.
      else res.write(': cut\n\n', () => res.destroy());
    };
    const rest = () => {
      for (const [i, delta] of events.deltas.entries()) {
        if (i === cutAt) return cut();
        res.write(delta);
        if (fault?.kind === 'malformed' && i === 0) res.write(events.malformed);
      }
      if (cutAt === events.deltas.length) return cut();
      for (const e of events.closing) res.write(e);
      res.end();
    };
    if (fault?.kind !== 'slow') {
      rest();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!res.destroyed) rest();
    }, fault.ms);
    this.timers.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
  }
}

const ENDPOINTS: Readonly<Record<string, ProviderEndpoint>> = {
  'POST /v1/chat/completions': 'openai-chat',
  'POST /v1/embeddings': 'openai-embeddings',
  'POST /v1/messages': 'anthropic-messages',
};

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
