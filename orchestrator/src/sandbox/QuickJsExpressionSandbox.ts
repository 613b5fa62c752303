// The ExpressionSandbox on QuickJS compiled to WebAssembly: each call gets its own WebAssembly
// instance with a capped memory, a QuickJS runtime with memory and stack limits, and an interrupt
// handler that enforces a time budget per item and per call. No host function is exposed.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { QuickJSHandle } from 'quickjs-emscripten';
import { z } from 'zod';
import {
  describeItem,
  ExpressionError,
  ExpressionFailure,
  type ExpressionSandbox,
  type Predicate,
  parseSandboxInput,
  SandboxExpression,
  SandboxItems,
  SandboxPredicate,
} from './ExpressionSandbox.js';
import { NO_BIGINT, refuseBigIntLiterals } from './no-bigint.js';
import { PATTERN_TESTER, QuickJsGuest } from './quickjs-guest.js';

/** Limits and clock of a {@link QuickJsExpressionSandbox}; every field has a default. */
export const QuickJsSandboxOptions = z.object({
  /** 32 MiB: QuickJS's allocation limit; far more than an expression over text needs. */
  memoryBytes: z
    .number()
    .int()
    .min(1024 * 1024)
    .default(32 * 1024 * 1024),
  /** 64 MiB: the guest's WebAssembly memory cap, the bound that holds for large allocations. */
  wasmMemoryBytes: z
    .number()
    .int()
    .min(16 * 1024 * 1024)
    .default(64 * 1024 * 1024),
  /** 256 KiB: about 1,500 nested JavaScript calls; QuickJS throws a guest error past it. */
  stackBytes: z
    .number()
    .int()
    .min(16 * 1024)
    .default(256 * 1024),
  /** 1 s per call, plus {@link budgetPerItemMs} per item. */
  budgetMs: z.number().positive().default(1000),
  /** 0.02 ms per item: a call costs ~7 µs per item, so 100,000 items get 3 s in all. */
  budgetPerItemMs: z.number().nonnegative().default(0.02),
  /** 250 ms for one item: nothing a one-line expression does on one text takes this long. */
  itemBudgetMs: z.number().positive().default(250),
  /** 64 Mi characters of `map` output in all (≈ RunLimits.maxOutputBytes / 4 once JSON-encoded). */
  maxOutputChars: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** 10 ms: work is done in slices this long, then the event loop runs (journal, cancellation). */
  sliceMs: z.number().positive().default(10),
  /** The clock (ms), injected for tests. */
  now: z.custom<() => number>((v) => typeof v === 'function').default(() => () => performance.now()),
});
export type QuickJsSandboxOptions = z.input<typeof QuickJsSandboxOptions>;
type Limits = z.output<typeof QuickJsSandboxOptions>;

/** The guest's wrapper around a user's expression: `item` and `index` in scope, strict mode. */
function userFunction(expression: string): string {
  return `(function (item, index) {\n"use strict";\nreturn (\n${expression}\n);\n})`;
}

/**
 * Trusted guest code that calls the user's function: `mode` 0 gives its truthiness, 1 a string (the
 * value, or its JSON text; `null` when it has none).
 */
const RUNNER = `(function (stringify) {
  "use strict";
  return function (f, item, index, mode) {
    const value = f(item, index);
    if (mode === 0) return !!value;
    if (typeof value === "string") return value;
    const text = stringify(value);
    return typeof text === "string" ? text : null;
  };
})(JSON.stringify)`;

/**
 * Trusted guest code run before any expression: the clock and the random source throw, so an
 * expression gives the same result for the same item, as its cached result assumes. Dates from
 * values (`new Date(item)`) still work. A courtesy, not a wall: an expression bent on reading the
 * clock only spoils its own cached results.
 */
const DETERMINISTIC = `(() => {
  "use strict";
  const refuse = (what) => function () {
    throw new Error(what + " is not available: an expression must give the same result for the same item");
  };
  Math.random = refuse("Math.random");
  const RealDate = Date;
  RealDate.now = refuse("Date.now");
  globalThis.Date = new Proxy(RealDate, {
    apply: refuse("Date()"),
    construct(target, args, newTarget) {
      if (args.length === 0) refuse("new Date() without a value")();
      return Reflect.construct(target, args, newTarget);
    },
  });
  RealDate.prototype.constructor = globalThis.Date;
})()`;

/** Runs `filter` and `map` expressions in QuickJS/WebAssembly, in this process, with limits that hold. */
export class QuickJsExpressionSandbox implements ExpressionSandbox {
  readonly #limits: Limits;

  constructor(options: QuickJsSandboxOptions = {}) {
    this.#limits = parseSandboxInput(QuickJsSandboxOptions, options, 'options');
  }

  async test(items: readonly string[], predicate: Predicate, signal: AbortSignal): Promise<boolean[]> {
    const list = parseSandboxInput(SandboxItems, items, 'items');
    const rule = parseSandboxInput(SandboxPredicate, predicate, 'predicate');
    if ('pattern' in rule) {
      return this.#session(list, 'the pattern', signal, (guest) => {
        const factory = guest.compile(PATTERN_TESTER);
        let tester: QuickJSHandle;
        try {
          tester = guest.call(
            factory,
            [rule.pattern, ''],
            { item: undefined, otherwise: ExpressionFailure.syntax },
            (h) => h.dup(),
          );
        } finally {
          guest.release(factory);
        }
        return {
          each: (item, index) =>
            guest.call(tester, [item], { item: index }, (h) => guest.context.dump(h) === true),
          dispose: () => guest.release(tester),
        };
      });
    }
    return this.#expression(list, rule.expression, 0, signal, (guest, h) => guest.context.dump(h) === true);
  }

  async map(items: readonly string[], expression: string, signal: AbortSignal): Promise<string[]> {
    const list = parseSandboxInput(SandboxItems, items, 'items');
    const source = parseSandboxInput(SandboxExpression, expression, 'expression');
    let total = 0;
    return this.#expression(list, source, 1, signal, (guest, h, index) => {
      if (guest.context.typeof(h) !== 'string') {
        throw new ExpressionError(
          ExpressionFailure.result,
          'gave a value that is neither a string nor JSON (undefined, a function or a symbol)',
          index,
        );
      }
      const text = guest.context.getString(h);
      total += text.length;
      if (total > this.#limits.maxOutputChars) {
        throw new ExpressionError(
          ExpressionFailure.result,
          `made more than ${this.#limits.maxOutputChars} characters of output in all`,
          index,
        );
      }
      return text;
    });
  }

  /** Runs a user's expression over `items` through the trusted runner, in `mode`. */
  #expression<T>(
    items: readonly string[],
    expression: string,
    mode: 0 | 1,
    signal: AbortSignal,
    read: (guest: QuickJsGuest, value: QuickJSHandle, index: number) => T,
  ): Promise<T[]> {
    return this.#session(items, 'the expression', signal, (guest) => {
      refuseBigIntLiterals(expression);
      const fn = guest.compile(userFunction(expression));
      let runner: QuickJSHandle;
      try {
        runner = guest.compile(RUNNER);
      } catch (error) {
        guest.release(fn);
        throw error;
      }
      return {
        each: (item, index) =>
          guest.call(runner, [fn, item, index, mode], { item: index }, (h) => read(guest, h, index)),
        dispose: () => {
          guest.release(fn);
          guest.release(runner);
        },
      };
    });
  }

  /**
   * Opens a guest, prepares a per-item function with `prepare` (within the call's budget), runs it on
   * every item in slices, and always frees the guest. Every failure leaves as an
   * {@link ExpressionError} that names `subject` and the item.
   */
  async #session<T>(
    items: readonly string[],
    subject: string,
    signal: AbortSignal,
    prepare: (guest: QuickJsGuest) => {
      each(item: string, index: number): T;
      dispose(): void;
    },
  ): Promise<T[]> {
    const { now } = this.#limits;
    const budget = this.#limits.budgetMs + items.length * this.#limits.budgetPerItemMs;
    if (signal.aborted) throw cancelled(subject);
    const guest = await QuickJsGuest.open(this.#limits, now, signal);
    // Moved forward by the time the call spends handed back to the event loop: the budget is the
    // guest's own running time, so a busy orchestrator (another step formatting code) cannot make
    // a cheap expression fail.
    let deadline = now() + budget;
    let current: number | undefined;
    try {
      guest.setDeadline(deadline);
      guest.release(guest.compile(DETERMINISTIC));
      guest.release(guest.compile(NO_BIGINT));
      const job = prepare(guest);
      try {
        const results: T[] = [];
        let slice = now();
        for (let index = 0; index < items.length; index++) {
          current = index;
          const started = now();
          // The guest's interrupt handler runs only every few thousand instructions: cheap items are
          // counted against the call's budget here.
          if (started > deadline) throw new ExpressionError(ExpressionFailure.timeout, 'out of time', index);
          guest.setDeadline(Math.min(deadline, started + this.#limits.itemBudgetMs));
          results.push(job.each(items[index] as string, index));
          if (now() - slice > this.#limits.sliceMs) {
            const paused = now();
            await nextTurn();
            if (signal.aborted) throw cancelled(subject);
            slice = now();
            deadline += slice - paused;
          }
        }
        return results;
      } finally {
        job.dispose();
      }
    } catch (error) {
      throw located(error, subject, items, current, now() > deadline ? budget : undefined, this.#limits);
    } finally {
      guest.dispose();
    }
  }
}

function cancelled(subject: string): ExpressionError {
  return new ExpressionError(ExpressionFailure.cancelled, `${subject} was cancelled`);
}

/** `error` as an {@link ExpressionError} that says what ran, on which item, and which budget it ran past. */
function located(
  error: unknown,
  subject: string,
  items: readonly string[],
  current: number | undefined,
  overallBudgetMs: number | undefined,
  limits: Limits,
): ExpressionError {
  if (!(error instanceof ExpressionError)) {
    const text = error instanceof Error ? error.message : String(error);
    return new ExpressionError(ExpressionFailure.threw, `${subject} failed in the sandbox: ${text}`, current);
  }
  if (error.reason === ExpressionFailure.cancelled) return error;
  const item = error.item ?? current;
  const where =
    error.item === undefined ? ' before the first item' : ` on ${describeItem(items, error.item)}`;
  let detail = error.message;
  if (error.reason === ExpressionFailure.timeout) {
    detail =
      overallBudgetMs === undefined
        ? `ran past its time budget of ${limits.itemBudgetMs} ms per item (an endless loop, or a regular expression that backtracks catastrophically?)`
        : `ran past its time budget of ${Math.round(overallBudgetMs)} ms for ${items.length} items`;
  } else if (error.reason === ExpressionFailure.memory) {
    detail = `${error.message} (limit ${Math.round(limits.memoryBytes / 1024 / 1024)} MiB)`;
  }
  return new ExpressionError(error.reason, `${subject} ${detail}${where}`, item);
}
