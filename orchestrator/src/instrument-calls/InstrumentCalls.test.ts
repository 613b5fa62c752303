// The path of a model call without the sandbox: candidates from the configured instruments, the
// router's choice and what it learns, the limiter's back-off on retry-after, the pool's processes
// (a dead one replaced), usage reported to the step, and clear errors when nothing serves a model.
import { ArbitrationEngine, MemoryRouterStore, PoolManager, TokenBucketLimiter } from '@symphony/pit';
import { InstrumentConfig, type InstrumentConfigInput } from '@symphony/schemas';
import * as prng from 'lib0/prng';
import { afterEach, describe, expect, it } from 'vitest';
import { stepContext } from '../steps/fake-context.js';
import { StepError } from '../steps/Step.js';
import { InstrumentCalls, type InstrumentProcess, type InstrumentRun } from './InstrumentCalls.js';

const config = (input: Partial<InstrumentConfigInput> & { id: string }): InstrumentConfig =>
  InstrumentConfig.parse({
    api: 'openai-chat',
    baseUrl: 'http://127.0.0.1:9/v1',
    models: { 'gpt-4o-mini': 'gpt-4o-mini', 'gpt-4o': 'gpt-4o' },
    ...input,
  });

interface Fake extends InstrumentProcess {
  alive: boolean;
  readonly calls: InstrumentRun[];
}

const pools: PoolManager[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

async function setup(
  instruments: InstrumentConfig[],
  behave: (instrument: InstrumentConfig, run: InstrumentRun, process: Fake) => Promise<unknown>,
) {
  const started: Fake[] = [];
  const backOffs: [string, number][] = [];
  const limiter = new TokenBucketLimiter();
  const backOff = limiter.backOff.bind(limiter);
  limiter.backOff = (instrument, until) => {
    backOffs.push([instrument, until]);
    backOff(instrument, until);
  };
  const router = await ArbitrationEngine.open({ store: new MemoryRouterStore(), random: seeded(7) });
  const manager = new PoolManager();
  pools.push(manager);
  const calls = new InstrumentCalls({
    instruments,
    router,
    limiter,
    pools: manager,
    now: () => 1_000,
    start: async (instrument) => {
      const process: Fake = {
        alive: true,
        calls: [],
        async call(run, options) {
          process.calls.push(run);
          options.onProgress({ tokens: 'Hel' });
          options.onProgress({ tokens: 'lo' });
          return (await behave(instrument, run, process)) as never;
        },
        async close() {
          process.alive = false;
        },
      };
      started.push(process);
      return process;
    },
  });
  return { calls, router, started, backOffs };
}

function seeded(seed: number): () => number {
  const gen = prng.create(seed);
  return () => prng.real53(gen);
}

const usage = (instrument: string, model: string) => ({
  instrument,
  model,
  inputTokens: 10,
  outputTokens: 5,
  costUsd: 0.001,
  latencyMs: 20,
});

describe('InstrumentCalls', () => {
  it('runs a node on the instrument serving its model, streams progress and reports usage', async () => {
    const { calls, router, started } = await setup([config({ id: 'openai' })], async (i, run) => ({
      outputs: { response: `answer to ${String(run.params.prompt)}` },
      usage: usage(i.id, String(run.params.model)),
    }));
    const context = stepContext({ params: { model: 'gpt-4o', prompt: 'hi', instrument: '' } });
    const outputs = await calls.run('llm-prompt', 'gpt-4o', context);
    expect(outputs).toEqual({ response: 'answer to hi' });
    expect(context.reported.map((p) => p.tokens).filter(Boolean)).toEqual(['Hel', 'lo']);
    expect(context.usage).toEqual([usage('openai', 'gpt-4o')]);
    expect(started).toHaveLength(1);
    expect(started[0]?.calls[0]?.params.model).toBe('gpt-4o');
    expect(router.stats()).toEqual([
      expect.objectContaining({ arm: 'openai/gpt-4o', task: 'llm-prompt', pulls: 1 }),
    ]);
    // The process went back to its pool and serves the next call.
    await calls.run('llm-prompt', 'gpt-4o', stepContext({ params: { model: 'gpt-4o', prompt: 'again' } }));
    expect(started).toHaveLength(1);
  });

  it('lets the router choose among every instrument for auto, and honours a pinned instrument', async () => {
    const { calls } = await setup(
      [config({ id: 'openai' }), config({ id: 'ollama', models: { 'local-llama': 'llama3.1:8b' } })],
      async (i, run) => ({ outputs: { response: `${i.id}:${String(run.params.model)}` } }),
    );
    const auto = calls.candidates('llm-prompt', 'auto', '', 100).map((c) => c.arm);
    expect(auto.sort()).toEqual(['ollama/local-llama', 'openai/gpt-4o', 'openai/gpt-4o-mini']);
    const pinned = await calls.run(
      'llm-prompt',
      'auto',
      stepContext({ params: { model: 'auto', prompt: 'x', instrument: 'ollama' } }),
    );
    expect(pinned).toEqual({ response: 'ollama:local-llama' });
  });

  it('fails clearly when nothing serves the model, or the pinned instrument is not configured', async () => {
    const { calls } = await setup([config({ id: 'openai' })], async () => ({ outputs: {} }));
    const none = await calls
      .run('llm-prompt', 'claude-sonnet', stepContext({ params: { model: 'claude-sonnet', prompt: 'x' } }))
      .catch((e: unknown) => e);
    expect(none).toBeInstanceOf(StepError);
    expect((none as StepError).code).toBe('needs_instrument');
    expect((none as StepError).message).toMatch(/claude-sonnet.*symphony instruments add/);
    const missing = await calls
      .run(
        'llm-prompt',
        'gpt-4o',
        stepContext({ params: { model: 'gpt-4o', prompt: 'x', instrument: 'nope' } }),
      )
      .catch((e: unknown) => e);
    expect((missing as StepError).message).toMatch(
      /pins instrument "nope", which is not configured \(configured: openai\)/,
    );
    const embed = calls.candidates('embed', 'text-embedding-3-small', '', 10);
    expect(embed).toEqual([]);
  });

  it("backs the instrument off for a 429's retry-after and records the failure with the router", async () => {
    const { calls, router, backOffs } = await setup([config({ id: 'openai' })], async () => {
      throw Object.assign(new Error('rate limited by the provider'), {
        code: 'instrument_failed',
        retryable: true,
        details: { reason: 'rate-limited', status: 429, retryAfterMs: 2000 },
      });
    });
    const error = await calls
      .run('llm-prompt', 'gpt-4o', stepContext({ params: { model: 'gpt-4o', prompt: 'x' } }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).retryable).toBe(true);
    expect((error as StepError).details?.reason).toBe('rate-limited');
    expect(backOffs).toEqual([['openai', 3000]]);
    expect(router.stats()[0]).toMatchObject({ pulls: 1, beta: 2 });
  });

  it('journals the usage of a call that failed after the provider answered, and learns from a timeout', async () => {
    const { calls, router } = await setup([config({ id: 'openai' })], async () => {
      throw Object.assign(new Error('the stream was cut'), {
        code: 'instrument_failed',
        retryable: true,
        details: { reason: 'stream-cut', usage: usage('openai', 'gpt-4o') },
      });
    });
    const context = stepContext({ params: { model: 'gpt-4o', prompt: 'x' } });
    const error = await calls.run('llm-prompt', 'gpt-4o', context).catch((e: unknown) => e);
    expect(context.usage).toEqual([usage('openai', 'gpt-4o')]);
    expect((error as StepError).details).toEqual({ reason: 'stream-cut' });
    expect(router.stats()[0]).toMatchObject({ pulls: 1, beta: 2 });

    const timedOut = new AbortController();
    timedOut.abort({ kind: 'timeout' });
    await calls
      .run(
        'llm-prompt',
        'gpt-4o',
        stepContext({ params: { model: 'gpt-4o', prompt: 'x' }, signal: timedOut.signal }),
      )
      .catch(() => {});
    const cancelled = new AbortController();
    cancelled.abort({ kind: 'cancelled' });
    await calls
      .run(
        'llm-prompt',
        'gpt-4o',
        stepContext({ params: { model: 'gpt-4o', prompt: 'x' }, signal: cancelled.signal }),
      )
      .catch(() => {});
    // The timeout counts against the instrument; the cancellation does not.
    expect(router.stats()[0]).toMatchObject({ pulls: 2, beta: 3 });
  });

  it('replaces a process that died during a call', async () => {
    const { calls, started } = await setup([config({ id: 'openai' })], async (_i, _run, process) => {
      if (started.length === 1) {
        process.alive = false;
        throw Object.assign(new Error('the extension crashed'), {
          code: 'extension_failed',
          retryable: true,
        });
      }
      return { outputs: { response: 'ok' } };
    });
    const context = () => stepContext({ params: { model: 'gpt-4o', prompt: 'x' } });
    await expect(calls.run('llm-prompt', 'gpt-4o', context())).rejects.toMatchObject({
      code: 'extension_failed',
    });
    await expect(calls.run('llm-prompt', 'gpt-4o', context())).resolves.toEqual({ response: 'ok' });
    expect(started).toHaveLength(2);
  });
});
