// The path of a model call: the node's model (or `auto`) → the instruments that serve it → the
// router's choice → the instrument's limits → a warm sandboxed instrument process from its pool →
// the provider, streamed → usage, cost and the outcome back to the journal and the router.

import {
  type InstrumentLimiter,
  type Pool,
  PoolError,
  type PoolManager,
  type RouteCandidate,
  type Router,
} from '@symphony/pit';
import {
  type ArmId,
  AUTO_MODEL,
  CallUsage,
  CHAT_MODEL_NAMES,
  costOf,
  DEFAULT_PRICES,
  EMBEDDING_MODEL_NAMES,
  type InstrumentConfig,
  InstrumentFailure,
  RunErrorCode,
} from '@symphony/schemas';
import { needsInstrument } from '../steps/needs-instrument.js';
import type { RemoteInstruments } from '../steps/remote-instruments.js';
import { type StepContext, StepError, type StepProgress, type StepValue } from '../steps/Step.js';

/** One node attempt as an instrument process is asked to run it. */
export interface InstrumentRun {
  readonly nodeType: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly inputs: Readonly<Record<string, readonly unknown[]>>;
  readonly attempt: number;
  readonly idempotencyKey: string;
}

/** A running instrument (a sandboxed extension process): what the pool hands out. */
export interface InstrumentProcess {
  call(
    run: InstrumentRun,
    options: { readonly signal: AbortSignal; readonly onProgress: (progress: StepProgress) => void },
  ): Promise<{ readonly outputs: Readonly<Record<string, unknown>>; readonly usage?: CallUsage }>;
  readonly alive: boolean;
  close(): Promise<void>;
}

/** What {@link InstrumentCalls} is made of. */
export interface InstrumentCallsOptions {
  readonly instruments: readonly InstrumentConfig[];
  readonly router: Router;
  readonly limiter: InstrumentLimiter & {
    configure?(instrument: string, limits: { maxConcurrent: number; requestsPerMinute: number }): void;
  };
  readonly pools: PoolManager;
  /** Starts one process of `instrument` (sandboxed, its key added by the host, never seen by it). */
  readonly start: (instrument: InstrumentConfig, signal: AbortSignal) => Promise<InstrumentProcess>;
  readonly now?: () => number;
}

/** Node types that need an embedding model rather than a chat model. */
const EMBEDDING_TYPES: ReadonlySet<string> = new Set(['embed']);

/** Beyond an instrument's own time limit: the host's grace and kill, a cold sandbox, the pool's wait. */
const CALL_OVERHEAD_MS = 60_000;

/** Tokens assumed for a call's answer before the router has seen one (for its prior cost). */
const PRIOR_OUTPUT_TOKENS = 400;

/** The remote instruments a user configured, behind the instrument steps. */
export class InstrumentCalls implements RemoteInstruments {
  readonly #o: InstrumentCallsOptions;
  readonly #now: () => number;
  readonly #byId: ReadonlyMap<string, InstrumentConfig>;
  readonly #pools = new Map<string, Pool<InstrumentProcess>>();
  /** The longest call: the slowest instrument's time limit, plus time to start a process and be admitted. */
  readonly callTimeoutMs: number;

  constructor(options: InstrumentCallsOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#byId = new Map(options.instruments.map((i) => [i.id, i]));
    this.callTimeoutMs = Math.max(0, ...options.instruments.map((i) => i.timeoutMs)) + CALL_OVERHEAD_MS;
    for (const i of options.instruments) {
      options.limiter.configure?.(i.id, {
        maxConcurrent: i.maxConcurrent,
        requestsPerMinute: i.requestsPerMinute,
      });
    }
  }

  /** The arms (instrument/model) that can run a node of `nodeType` asking for `model`, pinned to `pin` if set. */
  candidates(nodeType: string, model: string, pin: string, inputChars: number): RouteCandidate[] {
    const names = EMBEDDING_TYPES.has(nodeType) ? EMBEDDING_MODEL_NAMES : CHAT_MODEL_NAMES;
    const result: RouteCandidate[] = [];
    for (const instrument of this.#o.instruments) {
      if (pin !== '' && instrument.id !== pin) continue;
      if (EMBEDDING_TYPES.has(nodeType) && instrument.api !== 'openai-chat') continue;
      for (const [name, providerModel] of Object.entries(instrument.models)) {
        if (model === AUTO_MODEL ? !names.includes(name) || name === AUTO_MODEL : name !== model) continue;
        const price = instrument.prices[providerModel] ?? DEFAULT_PRICES[providerModel];
        const priorCostUsd = price ? costOf(price, Math.ceil(inputChars / 4), PRIOR_OUTPUT_TOKENS) : 0;
        result.push({ arm: `${instrument.id}/${name}` as ArmId, priorCostUsd });
      }
    }
    return result;
  }

  async run(
    nodeType: string,
    model: string,
    context: StepContext,
  ): Promise<Readonly<Record<string, StepValue>>> {
    const pin = typeof context.params.instrument === 'string' ? context.params.instrument : '';
    if (pin !== '' && !this.#byId.has(pin)) {
      throw new StepError(
        RunErrorCode.needsInstrument,
        `the node pins instrument "${pin}", which is not configured (configured: ${[...this.#byId.keys()].join(', ') || 'none'})`,
        false,
        { reason: InstrumentFailure.notConfigured, instrument: pin },
      );
    }
    const inputChars = Object.values(context.inputs)
      .flat()
      .reduce<number>((n, v) => n + (typeof v === 'string' ? v.length : JSON.stringify(v).length), 0);
    const candidates = this.candidates(nodeType, model, pin, inputChars);
    if (candidates.length === 0) {
      if (pin !== '') {
        throw new StepError(
          RunErrorCode.needsInstrument,
          `instrument "${pin}" does not serve model "${model}" for ${nodeType}; add it with "symphony instruments add ${pin} --model ${model}=<provider model>"`,
          false,
          { reason: InstrumentFailure.notConfigured, instrument: pin, model },
        );
      }
      throw needsInstrument(nodeType, model, EMBEDDING_TYPES.has(nodeType) || nodeType !== 'llm-prompt');
    }
    const decision = this.#o.router.choose(nodeType, candidates);
    const slash = decision.chosen.indexOf('/');
    const instrument = this.#byId.get(decision.chosen.slice(0, slash))!;
    const modelName = decision.chosen.slice(slash + 1);
    context.progress({ message: `${instrument.id}/${modelName} (${decision.reason})` });
    const started = this.#now();
    try {
      const result = await this.#call(instrument, { ...context.params, model: modelName }, nodeType, context);
      if (result.usage) context.reportUsage(result.usage);
      this.#o.router.record({
        arm: decision.chosen,
        task: nodeType,
        success: true,
        latencyMs: result.usage?.latencyMs ?? this.#now() - started,
        costUsd: result.usage?.costUsd ?? 0,
        at: this.#now(),
      });
      return result.outputs as Readonly<Record<string, StepValue>>;
    } catch (error) {
      const { failure, usage } = withoutUsage(asStepError(error));
      if (usage) context.reportUsage(usage);
      const retryAfterMs = failure.details?.retryAfterMs;
      if (typeof retryAfterMs === 'number')
        this.#o.limiter.backOff(instrument.id, this.#now() + retryAfterMs);
      // A cancelled call says nothing about the instrument's quality; one that ran past its
      // timeout does (a provider that hangs must lose the router's favour).
      const congested =
        typeof failure.details?.reason === 'string' && failure.details.reason.startsWith('pool-');
      if (failure.code !== RunErrorCode.cancelled && !cancelled(context.signal) && !congested) {
        this.#o.router.record({
          arm: decision.chosen,
          task: nodeType,
          success: false,
          latencyMs: this.#now() - started,
          costUsd: usage?.costUsd ?? 0,
          at: this.#now(),
        });
      }
      throw failure;
    }
  }

  /** One call through the instrument's limits and a process from its pool. */
  async #call(
    instrument: InstrumentConfig,
    params: Readonly<Record<string, unknown>>,
    nodeType: string,
    context: StepContext,
  ): Promise<{ readonly outputs: Readonly<Record<string, unknown>>; readonly usage?: CallUsage }> {
    const admitted = await this.#o.limiter.admit(instrument.id, context.signal);
    let process: InstrumentProcess | undefined;
    let pool: Pool<InstrumentProcess> | undefined;
    let broken = false;
    try {
      pool = this.#pool(instrument);
      process = await pool.acquire(context.signal);
      return await process.call(
        {
          nodeType,
          params,
          inputs: context.inputs,
          attempt: context.attempt,
          idempotencyKey: context.idempotencyKey,
        },
        { signal: context.signal, onProgress: (p) => context.progress(p) },
      );
    } catch (error) {
      broken = process !== undefined && !process.alive;
      throw error;
    } finally {
      if (pool !== undefined && process !== undefined) pool.release(process, broken || !process.alive);
      admitted();
    }
  }

  /** The instrument's pool, made on its first call: at most `maxConcurrent` processes. */
  #pool(instrument: InstrumentConfig): Pool<InstrumentProcess> {
    const known = this.#pools.get(instrument.id);
    if (known) return known;
    const pool = this.#o.pools.pool<InstrumentProcess>({
      kind: `instrument:${instrument.id}`,
      factory: {
        create: (signal) => this.#o.start(instrument, signal),
        destroy: (p) => p.close(),
        healthy: (p) => p.alive,
      },
      max: instrument.maxConcurrent,
      prewarm: 0,
      idleTimeoutMs: 5 * 60_000,
    });
    this.#pools.set(instrument.id, pool);
    return pool;
  }
}

/**
 * Any failure of a call as a StepError: the instrument's and the host's are already named; a pool
 * that could not start a process says why through its cause (the host's named error).
 */
function asStepError(error: unknown): StepError {
  if (error instanceof StepError) return error;
  // The pool was busy or closing: Symphony's own congestion, not the provider's doing.
  if (error instanceof PoolError && error.code !== 'create-failed') {
    return new StepError(RunErrorCode.stepFailed, error.message, error.code === 'timeout', {
      reason: `pool-${error.code}`,
    });
  }
  if (error instanceof PoolError && error.code === 'create-failed' && error.cause !== undefined) {
    const cause = asStepError(error.cause);
    return new StepError(
      cause.code,
      `${instrumentOf(error)}could not start: ${cause.message}`,
      cause.retryable,
      cause.details,
    );
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
    retryable?: unknown;
    details?: unknown;
  };
  const codes = Object.values(RunErrorCode) as string[];
  const code =
    typeof e.code === 'string' && codes.includes(e.code) ? (e.code as RunErrorCode) : RunErrorCode.stepFailed;
  return new StepError(
    code,
    typeof e.message === 'string' ? e.message : String(error),
    e.retryable === true,
    typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : undefined,
  );
}

/** Whether `signal` was aborted by a cancellation (not a timeout, not still running). */
function cancelled(signal: AbortSignal): boolean {
  if (!signal.aborted) return false;
  const reason = signal.reason as { kind?: unknown } | undefined;
  return reason?.kind !== 'timeout';
}

/** A failure's reported usage (an instrument's `details.usage`), taken out of the details it journals. */
function withoutUsage(failure: StepError): { failure: StepError; usage?: CallUsage } {
  const parsed = CallUsage.safeParse(failure.details?.usage);
  if (!parsed.success) return { failure };
  const { usage: _usage, ...details } = failure.details ?? {};
  return {
    failure: new StepError(failure.code, failure.message, failure.retryable, details),
    usage: parsed.data,
  };
}

/** `instrument X ` from a pool error's kind (`instrument:X`), for messages. */
function instrumentOf(error: PoolError): string {
  const match = /"instrument:([^"]+)"/.exec(error.message);
  return match ? `instrument ${match[1]} ` : '';
}
