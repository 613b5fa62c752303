// The settings of a WarmPool, parsed at the boundary: the port's PoolOptions with their defaults,
// plus the two things only this adapter needs (where errors go, how create failures back off).
import { z } from 'zod';
import { parseInput } from '../errors.js';
import type { PoolFactory, PoolOptions } from './PoolManager.js';

/** Where a pool reports what no caller is waiting to hear: a failed destroy, a failed prewarm create. */
export type PoolErrorSink = (error: unknown, context: { kind: string; during: PoolActivity }) => void;

/** What the pool was doing when an error reached its sink. */
export const PoolActivity = {
  create: 'create',
  destroy: 'destroy',
  healthCheck: 'health-check',
} as const;
export type PoolActivity = (typeof PoolActivity)[keyof typeof PoolActivity];

/** {@link PoolOptions} plus what only the warm pool adapter needs. */
export interface WarmPoolOptions<T> extends PoolOptions<T> {
  /** Default: `console.error` with the kind. */
  readonly onError?: PoolErrorSink;
  /** First delay before a failed background create is tried again (ms); doubles per failure. Default 100. */
  readonly retryInitialMs?: number;
  /** The longest delay between background create attempts (ms). Default 30 000. */
  readonly retryMaxMs?: number;
  /** How long `drain()` without an argument waits for busy instances (ms). Default 10 000. */
  readonly drainTimeoutMs?: number;
}

const isFunction = (v: unknown) => typeof v === 'function';

const Factory = z.custom<PoolFactory<unknown>>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    isFunction((v as PoolFactory<unknown>).create) &&
    isFunction((v as PoolFactory<unknown>).destroy) &&
    ((v as PoolFactory<unknown>).healthy === undefined || isFunction((v as PoolFactory<unknown>).healthy)),
  'factory must be { create(signal), destroy(instance), healthy?(instance) }',
);

const ms = z.number().int().nonnegative();

/** The options schema; `.refine` ties prewarm to the cap. */
const WarmPoolOptionsSchema = z
  .object({
    kind: z.string().min(1, 'kind must name the pool (e.g. "extension:spell-check")'),
    factory: Factory,
    /** Default 0. */
    prewarm: z.number().int().nonnegative().default(0),
    /** Default 8: enough for a few concurrent runs without letting one kind eat the machine. */
    max: z.number().int().min(1).default(8),
    /** 0: never evict. */
    idleTimeoutMs: ms.default(60_000),
    /** 0: never check. */
    healthCheckMs: ms.default(10_000),
    acquireTimeoutMs: ms.default(30_000),
    onError: z.custom<PoolErrorSink>(isFunction, 'onError must be a function').optional(),
    retryInitialMs: z.number().int().min(1).default(100),
    retryMaxMs: z.number().int().min(1).default(30_000),
    drainTimeoutMs: ms.default(10_000),
  })
  .refine((o) => o.prewarm <= o.max, { message: 'prewarm must not exceed max', path: ['prewarm'] });

/** The parsed settings a WarmPool runs with: every default filled in. */
export type ResolvedPoolOptions<T> = Omit<z.output<typeof WarmPoolOptionsSchema>, 'factory' | 'onError'> & {
  readonly factory: PoolFactory<T>;
  readonly onError: PoolErrorSink;
};

const consoleSink: PoolErrorSink = (error, { kind, during }) =>
  console.error(`pool "${kind}": ${during} failed:`, error);

/** Parses `options` (throws `PitInputError` naming each bad field) and fills in the defaults. */
export function resolvePoolOptions<T>(options: WarmPoolOptions<T>): ResolvedPoolOptions<T> {
  const parsed = parseInput('new WarmPool(options)', WarmPoolOptionsSchema, options);
  return {
    ...parsed,
    factory: options.factory,
    onError: parsed.onError ?? consoleSink,
  };
}
