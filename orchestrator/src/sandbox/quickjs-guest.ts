// One QuickJS guest: its own WebAssembly instance with a capped memory, one runtime and one context
// with no host functions, and a deadline its interrupt handler enforces. Disposed after one job.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  RELEASE_SYNC,
} from 'quickjs-emscripten';
import { ExpressionError, ExpressionFailure } from './ExpressionSandbox.js';

/** The limits of one guest. */
export interface GuestLimits {
  /** QuickJS's own allocation limit (`setMemoryLimit`). */
  readonly memoryBytes: number;
  /**
   * The guest's WebAssembly memory maximum. `setMemoryLimit` does not count large allocations
   * (big strings, arrays, TypedArrays all escaped it when measured): this cap, enforced by V8, is
   * the bound that holds.
   */
  readonly wasmMemoryBytes: number;
  /** QuickJS's stack limit (`setMaxStackSize`). */
  readonly stackBytes: number;
}

/**
 * Trusted guest code: given a regular expression's source and flags as strings (never spliced into
 * code), a function that tests a text against it.
 */
export const PATTERN_TESTER = `(function (source, flags) {
  "use strict";
  const re = new RegExp(source, flags);
  return function (text) { re.lastIndex = 0; return re.test(text); };
})`;

const WASM_PAGE_BYTES = 64 * 1024;
/** 16 MiB: the minimum the QuickJS build declares for its imported memory. */
const INITIAL_WASM_PAGES = 256;

let compiled: Promise<WebAssembly.Module> | undefined;

/** The QuickJS WebAssembly module, compiled once per process; each guest instantiates it afresh. */
function compiledQuickJs(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    // Resolved beside quickjs-emscripten, whose dependency it is.
    const beside = createRequire(createRequire(import.meta.url).resolve('quickjs-emscripten'));
    const path = beside.resolve('@jitl/quickjs-wasmfile-release-sync/wasm');
    return WebAssembly.compile(await readFile(path));
  })();
  compiled.catch(() => {
    compiled = undefined;
  });
  return compiled;
}

/**
 * A fresh guest. Nothing is shared with any other guest: its own WebAssembly instance and memory
 * (freed when it is dropped), so a guest that crashes the instance harms nothing else.
 */
export class QuickJsGuest {
  /** When the interrupt handler stops the guest (ms on the injected clock). */
  #deadline = Number.POSITIVE_INFINITY;
  #broken = false;

  private constructor(
    private readonly runtime: QuickJSRuntime,
    readonly context: QuickJSContext,
    private readonly now: () => number,
    private readonly signal: AbortSignal,
  ) {
    runtime.setInterruptHandler(() => this.signal.aborted || this.now() > this.#deadline);
  }

  /** A new guest with `limits`, interrupted once `signal` aborts or a deadline passes. */
  static async open(limits: GuestLimits, now: () => number, signal: AbortSignal): Promise<QuickJsGuest> {
    const wasmModule = await compiledQuickJs();
    const wasmMemory = new WebAssembly.Memory({
      initial: INITIAL_WASM_PAGES,
      maximum: Math.max(INITIAL_WASM_PAGES, Math.ceil(limits.wasmMemoryBytes / WASM_PAGE_BYTES)),
    });
    const quickJs = await newQuickJSWASMModuleFromVariant(
      newVariant(RELEASE_SYNC, { wasmModule, wasmMemory }),
    );
    const runtime = quickJs.newRuntime();
    runtime.setMemoryLimit(limits.memoryBytes);
    runtime.setMaxStackSize(limits.stackBytes);
    return new QuickJsGuest(runtime, runtime.newContext(), now, signal);
  }

  /** Whether the guest crashed (or could not free itself); it is then dropped whole, never reused. */
  get crashed(): boolean {
    return this.#broken;
  }

  /** Interrupt whatever runs after `at` (ms on the injected clock). */
  setDeadline(at: number): void {
    this.#deadline = at;
  }

  /** Compiles trusted or untrusted `source` to a value (a function); fails with `syntax` if it does not parse. */
  compile(source: string): QuickJSHandle {
    const result = this.guard(() => this.context.evalCode(source, 'expression.js'), undefined);
    if (result.error) throw this.failure(result.error, undefined, ExpressionFailure.syntax);
    return result.value;
  }

  /**
   * Calls `fn` with `args` (strings and numbers are copied in, handles passed) and passes the
   * result to `read`; every handle it made is freed. A guest exception becomes an
   * {@link ExpressionError} for `at.item`, with reason `at.otherwise` unless it was a limit.
   */
  call<T>(
    fn: QuickJSHandle,
    args: readonly (string | number | QuickJSHandle)[],
    at: { readonly item: number | undefined; readonly otherwise?: ExpressionFailure },
    read: (value: QuickJSHandle) => T,
  ): T {
    const { item, otherwise = ExpressionFailure.threw } = at;
    return this.guard(() => {
      const handles = args.map((a) =>
        typeof a === 'string'
          ? this.context.newString(a)
          : typeof a === 'number'
            ? this.context.newNumber(a)
            : a.dup(),
      );
      try {
        const result = this.context.callFunction(fn, this.context.undefined, ...handles);
        if (result.error) throw this.failure(result.error, item, otherwise);
        try {
          return read(result.value);
        } finally {
          result.value.dispose();
        }
      } finally {
        for (const h of handles) h.dispose();
      }
    }, item);
  }

  /** Frees `handle`; a no-op once the guest has crashed (the instance is dropped whole). */
  release(handle: QuickJSHandle): void {
    if (this.#broken) return;
    try {
      handle.dispose();
    } catch {
      this.#broken = true;
    }
  }

  /** Frees the guest. After a crash the instance is dropped whole instead (its memory goes with it). */
  dispose(): void {
    if (this.#broken) return;
    try {
      this.context.dispose();
      this.runtime.dispose();
    } catch {
      // A guest that leaked or aborted cannot free itself; dropping the instance frees everything.
      this.#broken = true;
    }
  }

  /**
   * Runs host calls into the guest. A throw from the host side (the WebAssembly instance ran out of
   * native stack: deeply nested data or source can recurse in QuickJS's C code before its own stack
   * check fires; or the instance aborted) marks the guest broken and becomes an {@link ExpressionError}.
   */
  private guard<T>(run: () => T, item: number | undefined): T {
    if (this.#broken)
      throw new ExpressionError(ExpressionFailure.memory, 'the sandbox crashed earlier', item);
    try {
      return run();
    } catch (error) {
      if (error instanceof ExpressionError) throw error;
      this.#broken = true;
      if (this.signal.aborted) throw new ExpressionError(ExpressionFailure.cancelled, 'cancelled', item);
      if (error instanceof RangeError) {
        throw new ExpressionError(ExpressionFailure.stack, 'nested too deeply (ran out of stack)', item);
      }
      throw new ExpressionError(
        ExpressionFailure.memory,
        `crashed the sandbox (${error instanceof Error ? error.message : String(error)})`,
        item,
      );
    }
  }

  /** The {@link ExpressionError} for a guest exception (and frees its handle). */
  private failure(
    handle: QuickJSHandle,
    item: number | undefined,
    otherwise: ExpressionFailure,
  ): ExpressionError {
    let dumped: unknown;
    try {
      dumped = this.context.dump(handle);
    } catch {
      dumped = undefined;
    } finally {
      handle.dispose();
    }
    const { name, message } = errorParts(dumped);
    if (this.signal.aborted) return new ExpressionError(ExpressionFailure.cancelled, 'cancelled', item);
    if (name === 'InternalError' && message === 'interrupted') {
      return new ExpressionError(ExpressionFailure.timeout, 'ran past its time budget', item);
    }
    if (name === 'InternalError' && /out of memory|too long/.test(message)) {
      return new ExpressionError(ExpressionFailure.memory, 'ran out of memory', item);
    }
    // QuickJS throws null when memory is so short it cannot make the error; the guest cannot tell
    // that from `throw null`, and neither can the host.
    if (dumped === null)
      return new ExpressionError(ExpressionFailure.memory, 'ran out of memory (or threw null)', item);
    if (/stack overflow|call stack/i.test(message) && (name === 'InternalError' || name === 'RangeError')) {
      return new ExpressionError(ExpressionFailure.stack, 'recursed too deeply (stack overflow)', item);
    }
    const text = name ? `${name}: ${message}` : message;
    return new ExpressionError(
      otherwise,
      otherwise === ExpressionFailure.syntax ? `does not parse: ${text}` : `threw ${text}`,
      item,
    );
  }
}

/** Name and message of a dumped guest exception, whatever was thrown. */
function errorParts(dumped: unknown): { name: string; message: string } {
  if (typeof dumped === 'object' && dumped !== null) {
    const { name, message } = dumped as { name?: unknown; message?: unknown };
    if (typeof message === 'string') return { name: typeof name === 'string' ? name : '', message };
  }
  return { name: '', message: safeString(dumped) };
}

function safeString(value: unknown): string {
  try {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return (text ?? String(value)).slice(0, 200);
  } catch {
    return String(value).slice(0, 200);
  }
}
