// The acceptance suite every instrument module passes against the provider test server: each chat
// node type streams its tokens into progress in order and gives the right outputs, usage and cost;
// every fault ends in a retry or a named error; the key never appears in an error.
import { costOf, InstrumentFailure } from '@symphony/schemas';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ExtensionModule } from '../../extensions/api.js';
import type { InstrumentCallConfigInput } from '../call-config.js';
import { type FakeCallOptions, fakeCall, hostFetch, type InjectedCredential } from './fake-call.js';
import { answerDeltas, countTokens, type ProviderFault, ProviderTestServer } from './provider-server.js';

/** What the suite needs of one instrument. */
export interface InstrumentSpec {
  readonly name: string;
  readonly module: ExtensionModule;
  /** The base URL its SDK takes on `server`. */
  baseUrl(server: ProviderTestServer): string;
  /** How the host adds its key. */
  readonly credential: Omit<InjectedCredential, 'value'>;
  /** The texts of the messages a recorded request carried (for counting input tokens). */
  messageTexts(body: unknown): string[];
}

/** A key distinctive enough that finding it anywhere in an error is a leak, not a coincidence. */
export const DISTINCTIVE_KEY = 'sk-test-ZEBRA-7f3c9a1e5b2d4c6a8e0f';

const PRICE = { inputPerMTok: 1000, outputPerMTok: 2000 };

interface NodeCase {
  readonly type: string;
  readonly params: Record<string, unknown>;
  readonly inputs: Record<string, readonly unknown[]>;
  readonly answer: string;
  readonly outputs: Record<string, unknown>;
  /** Texts the prompt must carry. */
  readonly carries: readonly string[];
}

const NODE_CASES: readonly NodeCase[] = [
  {
    type: 'llm-prompt',
    params: { model: 'gpt-4o', prompt: 'Name the two colours.', maxTokens: 100 },
    inputs: { context: ['The sky is blue.', 'Grass is green.'] },
    answer: 'Blue and green, as the context says.',
    outputs: { text: 'Blue and green, as the context says.' },
    carries: ['Name the two colours.', 'The sky is blue.', 'Grass is green.'],
  },
  {
    type: 'summarize',
    params: { model: 'gpt-4o', length: 'short', focus: 'dates' },
    inputs: { text: ['On 3 May the river flooded the town; by 9 May it had receded.'] },
    answer: 'The river flooded on 3 May and receded by 9 May.',
    outputs: { summary: 'The river flooded on 3 May and receded by 9 May.' },
    carries: ['On 3 May the river flooded', 'dates', 'one or two sentences'],
  },
  {
    type: 'classify',
    params: { model: 'gpt-4o', labels: ['positive', 'negative'] },
    inputs: { text: ['I hated every minute of it.'] },
    answer: ' Negative.',
    outputs: { label: 'negative' },
    carries: ['- positive\n- negative', 'I hated every minute of it.'],
  },
  {
    type: 'extract-keywords',
    params: { model: 'gpt-4o', count: 2 },
    inputs: { text: ['Rust and Go compile to native code.'] },
    answer: '- Rust\n- native code\n- Rust\n- Go',
    outputs: { keywords: ['Rust', 'native code'] },
    carries: ['at most 2 keywords', 'Rust and Go compile'],
  },
  {
    type: 'translate',
    params: { model: 'gpt-4o', targetLanguage: 'French' },
    inputs: { text: ['Good morning, world.'] },
    answer: 'Bonjour, le monde.',
    outputs: { text: 'Bonjour, le monde.' },
    carries: ['French', 'Good morning, world.'],
  },
  {
    type: 'review-code',
    params: { model: 'gpt-4o', focus: 'security' },
    inputs: { code: ['eval(userInput)'] },
    answer: '1. `eval(userInput)` runs untrusted input: remove it.',
    outputs: { review: '1. `eval(userInput)` runs untrusted input: remove it.' },
    carries: ['security', '```\neval(userInput)\n```'],
  },
  {
    type: 'generate-tests',
    params: { model: 'gpt-4o', framework: 'pytest' },
    inputs: { code: ['def add(a, b):\n    return a + b'] },
    answer: '```python\ndef test_add():\n    assert add(1, 2) == 3\n```',
    outputs: { tests: 'def test_add():\n    assert add(1, 2) == 3' },
    carries: ['pytest', 'def add(a, b):'],
  },
];

/** Runs the suite for `spec`. */
export function runInstrumentModuleTests(spec: InstrumentSpec): void {
  describe(`${spec.name} instrument (acceptance)`, () => {
    let server: ProviderTestServer;
    beforeAll(async () => {
      server = await ProviderTestServer.start({ apiKey: DISTINCTIVE_KEY });
    });
    afterAll(() => server.close());
    beforeEach(() => {
      server.requests.length = 0;
    });

    const config = (extra: Partial<InstrumentCallConfigInput> = {}): InstrumentCallConfigInput => ({
      instrument: 'test',
      baseUrl: spec.baseUrl(server),
      models: { 'gpt-4o': 'test-model', 'gpt-4o-mini': 'gpt-4o-mini', 'claude-haiku': 'missing-model' },
      prices: { 'test-model': PRICE },
      timeoutMs: 20_000,
      ...extra,
    });
    const call = (
      options: Partial<FakeCallOptions> & Pick<FakeCallOptions, 'nodeType' | 'params'>,
      key = DISTINCTIVE_KEY,
    ) =>
      fakeCall({
        config: config() as Record<string, unknown>,
        fetch: hostFetch({ ...spec.credential, value: key }),
        ...options,
      });
    const failure = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => expect.unreachable('the call should have failed'),
        (e: unknown) => e as Error & { code: string; retryable: boolean; details: Record<string, unknown> },
      );
      expect(error.message).not.toContain(DISTINCTIVE_KEY);
      expect(JSON.stringify(error.details ?? {})).not.toContain(DISTINCTIVE_KEY);
      return error;
    };
    const classifyCall = (attempt = 1) =>
      call({ nodeType: 'classify', params: NODE_CASES[2]!.params, inputs: NODE_CASES[2]!.inputs, attempt });

    for (const c of NODE_CASES) {
      it(`${c.type}: streams its tokens in order and outputs ${Object.keys(c.outputs).join(', ')}`, async () => {
        server.answerWith(c.answer);
        const fake = call({ nodeType: c.type, params: c.params, inputs: c.inputs });
        const result = await spec.module.run(fake.call);
        expect(result.outputs).toEqual(c.outputs);
        expect(fake.tokens()).toEqual(answerDeltas(c.answer));
        const sent = spec.messageTexts(server.requests[0]?.body).join('\n');
        for (const text of c.carries) expect(sent).toContain(text);
        const inputTokens = spec
          .messageTexts(server.requests[0]?.body)
          .reduce((n, t) => n + countTokens(t), 0);
        const outputTokens = answerDeltas(c.answer).length;
        expect(result.usage).toMatchObject({
          instrument: 'test',
          model: 'test-model',
          inputTokens,
          outputTokens,
        });
        expect(result.usage?.costUsd).toBeCloseTo(costOf(PRICE, inputTokens, outputTokens), 12);
        expect(result.usage?.latencyMs).toBeGreaterThanOrEqual(0);
      });
    }

    it('prices a model without an instrument price from the default table', async () => {
      server.answerWith('fine');
      const fake = call({ nodeType: 'llm-prompt', params: { model: 'gpt-4o-mini', prompt: 'ok?' } });
      const result = await spec.module.run(fake.call);
      const { inputTokens, outputTokens } = result.usage!;
      expect(result.usage?.model).toBe('gpt-4o-mini');
      expect(result.usage?.costUsd).toBeCloseTo(
        costOf({ inputPerMTok: 0.15, outputPerMTok: 0.6 }, inputTokens, outputTokens),
        15,
      );
    });

    it('calls the model the router chose (config.model) over the node mapping', async () => {
      server.answerWith('chosen');
      const fake = fakeCall({
        nodeType: 'llm-prompt',
        params: { model: 'auto', prompt: 'hi' },
        config: config({ model: 'router-pick' }) as Record<string, unknown>,
        fetch: hostFetch({ ...spec.credential, value: DISTINCTIVE_KEY }),
      });
      const result = await spec.module.run(fake.call);
      expect(server.requests[0]?.body).toMatchObject({ model: 'router-pick' });
      expect(result.usage?.model).toBe('router-pick');
    });

    it('classify: an answer that is no label is malformed, retried once', async () => {
      server.answerWith('Somewhere in between.');
      const first = await failure(spec.module.run(classifyCall(1).call));
      expect(first).toMatchObject({
        code: 'instrument_failed',
        retryable: true,
        details: { reason: InstrumentFailure.malformed },
      });
      const second = await failure(spec.module.run(classifyCall(2).call));
      expect(second.retryable).toBe(false);
    });

    const faultCases: ReadonlyArray<{
      fault: ProviderFault;
      reason: InstrumentFailure;
      retryable: boolean;
      extra?: object;
    }> = [
      {
        fault: { kind: '429', retryAfter: 2 },
        reason: InstrumentFailure.rateLimited,
        retryable: true,
        extra: { status: 429, retryAfterMs: 2000 },
      },
      {
        fault: { kind: '429', retryAfterMs: 1500 },
        reason: InstrumentFailure.rateLimited,
        retryable: true,
        extra: { retryAfterMs: 1500 },
      },
      {
        fault: { kind: '500' },
        reason: InstrumentFailure.serverError,
        retryable: true,
        extra: { status: 500 },
      },
      { fault: { kind: 'cut' }, reason: InstrumentFailure.streamCut, retryable: true },
      {
        fault: { kind: 'cut', mode: 'end', afterTokens: 2 },
        reason: InstrumentFailure.streamCut,
        retryable: true,
      },
      { fault: { kind: 'malformed' }, reason: InstrumentFailure.malformed, retryable: true },
      {
        fault: { kind: '401' },
        reason: InstrumentFailure.unauthorized,
        retryable: false,
        extra: { status: 401 },
      },
    ];
    for (const { fault, reason, retryable, extra } of faultCases) {
      it(`fault ${JSON.stringify(fault)} ends in ${reason} (retryable: ${retryable})`, async () => {
        server.answerWith('one two three four');
        server.failNext(fault);
        const error = await failure(spec.module.run(classifyCall().call));
        expect(error).toMatchObject({ code: 'instrument_failed', retryable, details: { reason, ...extra } });
      });
    }

    it('a slow first token fails `slow` within the first-token timeout', async () => {
      server.answerWith('late');
      server.failNext({ kind: 'slow', ms: 15_000 });
      const fake = fakeCall({
        nodeType: 'llm-prompt',
        params: { model: 'gpt-4o', prompt: 'hurry' },
        config: config({ firstTokenTimeoutMs: 200 }) as Record<string, unknown>,
        fetch: hostFetch({ ...spec.credential, value: DISTINCTIVE_KEY }),
      });
      const started = Date.now();
      const error = await failure(spec.module.run(fake.call));
      expect(error).toMatchObject({ retryable: true, details: { reason: InstrumentFailure.slow } });
      expect(error.message).toContain('200 ms');
      // Generous for a shared machine: the point is it did not wait the server's 15 s.
      expect(Date.now() - started).toBeLessThan(200 + 5000);
    });

    it('a wrong key is unauthorized and never shown, even when the provider echoes it', async () => {
      const wrongKey = 'sk-wrong-QUOKKA-1234567890abcdef';
      const error = await failure(
        spec.module.run(
          call({ nodeType: 'llm-prompt', params: { model: 'gpt-4o', prompt: 'x' } }, wrongKey).call,
        ),
      );
      expect(error).toMatchObject({
        retryable: false,
        details: { reason: InstrumentFailure.unauthorized, status: 401 },
      });
      expect(error.message).not.toContain(wrongKey);
      expect(error.message).not.toContain('QUOKKA');
    });

    it('an unknown provider model is refused, not retried', async () => {
      const error = await failure(
        spec.module.run(
          call({ nodeType: 'llm-prompt', params: { model: 'claude-haiku', prompt: 'x' } }).call,
        ),
      );
      expect(error).toMatchObject({
        retryable: false,
        details: { reason: InstrumentFailure.refused, status: 404 },
      });
    });

    it('a node model the instrument does not serve is not-configured', async () => {
      const error = await failure(
        spec.module.run(call({ nodeType: 'llm-prompt', params: { model: 'local-llama', prompt: 'x' } }).call),
      );
      expect(error).toMatchObject({ retryable: false, details: { reason: InstrumentFailure.notConfigured } });
      expect(server.requests).toHaveLength(0);
    });

    it('a provider that cannot be reached is a retryable server-error', async () => {
      const fake = fakeCall({
        nodeType: 'llm-prompt',
        params: { model: 'gpt-4o', prompt: 'x' },
        config: config({ baseUrl: spec.baseUrl(server).replace(/:\d+/, ':1') }) as Record<string, unknown>,
        fetch: hostFetch({ ...spec.credential, value: DISTINCTIVE_KEY }),
      });
      const error = await failure(spec.module.run(fake.call));
      expect(error).toMatchObject({ retryable: true, details: { reason: InstrumentFailure.serverError } });
    });

    it('cancelling the call stops it with `cancelled`', async () => {
      server.failNext({ kind: 'slow', ms: 15_000 });
      const controller = new AbortController();
      const fake = call({
        nodeType: 'llm-prompt',
        params: { model: 'gpt-4o', prompt: 'x' },
        signal: controller.signal,
      });
      const pending = spec.module.run(fake.call);
      setTimeout(() => controller.abort(), 50);
      const error = await failure(pending);
      expect(error).toMatchObject({ code: 'cancelled', retryable: false });
    });
  });
}
