// Regular expressions from untrusted JSON Schemas (`pattern`, `patternProperties`) run in a QuickJS
// guest, synchronously, under a time budget: Ajv takes this as its RegExp engine, so a catastrophic
// pattern in a shared workflow's schema cannot hang this process.
import type { QuickJSHandle } from 'quickjs-emscripten';
import { z } from 'zod';
import { ExpressionError, ExpressionFailure, parseSandboxInput } from './ExpressionSandbox.js';
import { PATTERN_TESTER, QuickJsGuest } from './quickjs-guest.js';

/** A compiled pattern, as Ajv calls it. */
export interface SandboxedRegExp {
  test(text: string): boolean;
}

/** Ajv's `code.regExp` option: compiles a pattern; `code` names it in generated source. */
export interface RegExpEngine {
  (pattern: string, flags: string): SandboxedRegExp;
  code: string;
}

/** Limits of a {@link QuickJsRegExps}; every field has a default. */
export const QuickJsRegExpsOptions = z.object({
  /** 1 s of pattern work (compiling and testing) in one validation; Ajv's own work does not count. */
  budgetMs: z.number().positive().default(1000),
  /** 250 ms for one test of one text. */
  testBudgetMs: z.number().positive().default(250),
  /** 16 MiB: patterns and the texts they test, nothing else. */
  memoryBytes: z
    .number()
    .int()
    .min(1024 * 1024)
    .default(16 * 1024 * 1024),
  /** 64 MiB: the guest's WebAssembly memory cap. */
  wasmMemoryBytes: z
    .number()
    .int()
    .min(16 * 1024 * 1024)
    .default(64 * 1024 * 1024),
  /** 256 KiB: QuickJS's stack limit. */
  stackBytes: z
    .number()
    .int()
    .min(16 * 1024)
    .default(256 * 1024),
  /** The clock (ms), injected for tests. */
  now: z.custom<() => number>((v) => typeof v === 'function').default(() => () => performance.now()),
});
export type QuickJsRegExpsOptions = z.input<typeof QuickJsRegExpsOptions>;

/**
 * A guest holding the patterns of one validation. `engine` compiles and tests them in the guest; a
 * pattern that does not parse throws an {@link ExpressionError} (`syntax`), a test past its budget
 * one with `timeout`. Dispose it when the validation is done.
 */
export class QuickJsRegExps {
  readonly #testers: QuickJSHandle[] = [];
  readonly #factory: QuickJSHandle;
  /** Milliseconds spent in the guest so far. */
  #spent = 0;

  private constructor(
    private readonly guest: QuickJsGuest,
    private readonly limits: z.output<typeof QuickJsRegExpsOptions>,
  ) {
    this.#factory = this.#timed(limits.budgetMs, () => guest.compile(PATTERN_TESTER));
  }

  /** A guest for the patterns of one validation, interrupted when `signal` aborts. */
  static async open(options: QuickJsRegExpsOptions, signal: AbortSignal): Promise<QuickJsRegExps> {
    const limits = parseSandboxInput(QuickJsRegExpsOptions, options, 'options');
    return new QuickJsRegExps(await QuickJsGuest.open(limits, limits.now, signal), limits);
  }

  /** The engine to give Ajv (`new Ajv({ code: { regExp: regExps.engine } })`). */
  readonly engine: RegExpEngine = Object.assign(
    (pattern: string, flags: string): SandboxedRegExp => this.#compile(pattern, flags),
    { code: 'sandboxedRegExp' },
  );

  /** Frees the guest and every pattern in it. */
  dispose(): void {
    for (const tester of this.#testers) this.guest.release(tester);
    this.guest.release(this.#factory);
    this.guest.dispose();
  }

  #compile(pattern: string, flags: string): SandboxedRegExp {
    const what = `the pattern ${JSON.stringify(pattern)}`;
    const located = (error: unknown) =>
      error instanceof ExpressionError
        ? new ExpressionError(error.reason, `${what} ${error.message}`)
        : error;
    const inGuest = <T>(work: () => T): T => {
      try {
        return this.#timed(this.limits.testBudgetMs, work);
      } catch (error) {
        throw located(error);
      }
    };
    const at = { item: undefined, otherwise: ExpressionFailure.syntax };
    const tester = inGuest(() => this.guest.call(this.#factory, [pattern, flags], at, (h) => h.dup()));
    this.#testers.push(tester);
    return {
      test: (text: string) =>
        inGuest(() =>
          this.guest.call(tester, [text], { item: undefined }, (h) => this.guest.context.dump(h) === true),
        ),
      toString: () => `sandboxed /${pattern}/${flags}`,
    } as SandboxedRegExp;
  }

  /** Runs `work` in the guest with at most `limitMs` of what is left of the budget, and counts its time. */
  #timed<T>(limitMs: number, work: () => T): T {
    const started = this.limits.now();
    const left = this.limits.budgetMs - this.#spent;
    if (left <= 0) throw new ExpressionError(ExpressionFailure.timeout, 'ran past its time budget');
    this.guest.setDeadline(started + Math.min(limitMs, left));
    try {
      return work();
    } finally {
      this.#spent += this.limits.now() - started;
    }
  }
}
