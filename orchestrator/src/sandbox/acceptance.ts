// The acceptance suite every ExpressionSandbox adapter runs (runExpressionSandboxTests): results,
// clear failures for syntax errors, throws, endless loops, catastrophic patterns, unbounded memory
// and recursion, no host access, nothing carried between calls, and the sandbox still working after.
import { describe, expect, it } from 'vitest';
import { ExpressionError, ExpressionFailure, type ExpressionSandbox } from './ExpressionSandbox.js';

const live = () => new AbortController().signal;

/** The rejection of `promise`, which must be an {@link ExpressionError}. */
async function failure(promise: Promise<unknown>): Promise<ExpressionError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error('expected the sandbox to fail, and it did not');
}

/** 200 ms: tests that run until a time budget stops them wait this long per item. */
const SHORT_MS = 200;
/** 30 s: tests that must end on their own (or on memory or stack), never on time, even on a loaded machine. */
const LONG_MS = 30_000;

/**
 * The behaviour every {@link ExpressionSandbox} adapter promises. `make(itemBudgetMs)` gives a
 * sandbox whose time budget per item (and per call) is about `itemBudgetMs`.
 */
export function runExpressionSandboxTests(
  name: string,
  make: (itemBudgetMs: number) => ExpressionSandbox,
): void {
  describe(`ExpressionSandbox: ${name}`, () => {
    const items = ['apple', 'banana', 'cherry'];

    it('tests items by expression, with item and index in scope, truthy keeps', async () => {
      const sandbox = make(LONG_MS);
      expect(await sandbox.test(items, { expression: 'item.includes("an")' }, live())).toEqual([
        false,
        true,
        false,
      ]);
      expect(await sandbox.test(items, { expression: 'index % 2 === 0 && item' }, live())).toEqual([
        true,
        false,
        true,
      ]);
      expect(await sandbox.test([], { expression: 'true' }, live())).toEqual([]);
    });

    it('tests items by regular expression, the pattern never spliced into code', async () => {
      const sandbox = make(LONG_MS);
      expect(await sandbox.test(items, { pattern: '^b|y$' }, live())).toEqual([false, true, true]);
      expect(await sandbox.test(['a")', 'b'], { pattern: '"\\)' }, live())).toEqual([true, false]);
      const bad = await failure(sandbox.test(items, { pattern: '(' }, live()));
      expect(bad.reason).toBe(ExpressionFailure.syntax);
      expect(bad.message).toMatch(/pattern/);
    });

    it('maps items to strings, or to the JSON text of other values', async () => {
      const sandbox = make(LONG_MS);
      expect(await sandbox.map(items, 'item.toUpperCase()', live())).toEqual(['APPLE', 'BANANA', 'CHERRY']);
      expect(await sandbox.map(items, '({ i: index, n: item.length })', live())).toEqual([
        '{"i":0,"n":5}',
        '{"i":1,"n":6}',
        '{"i":2,"n":6}',
      ]);
      expect(await sandbox.map(['x'], '[1, null, "two"]', live())).toEqual(['[1,null,"two"]']);
      const none = await failure(sandbox.map(items, 'index === 1 ? undefined : item', live()));
      expect(none.reason).toBe(ExpressionFailure.result);
      expect(none.item).toBe(1);
      expect(none.message).toMatch(/item 2 of 3 \("banana"\)/);
    });

    it('reports an expression that does not parse', async () => {
      const error = await failure(make(LONG_MS).test(items, { expression: 'item ===' }, live()));
      expect(error.reason).toBe(ExpressionFailure.syntax);
      expect(error.message).toMatch(/expression does not parse: SyntaxError/);
    });

    it('reports which item an expression threw on, and what it threw', async () => {
      const sandbox = make(LONG_MS);
      const error = await failure(sandbox.map(items, 'index === 2 ? item.nope.deeper : item', live()));
      expect(error.reason).toBe(ExpressionFailure.threw);
      expect(error.item).toBe(2);
      expect(error.message).toMatch(/threw TypeError: .*item 3 of 3 \("cherry"\)/);
      const thrownNull = await failure(
        sandbox.test(items, { expression: '(() => { throw null })()' }, live()),
      );
      expect(thrownNull.message).toMatch(/threw null/);
    });

    it('stops an endless loop at its time budget, and the next call runs fine', async () => {
      const sandbox = make(SHORT_MS);
      const error = await failure(
        sandbox.test(items, { expression: '(() => { while (true) {} })()' }, live()),
      );
      expect(error.reason).toBe(ExpressionFailure.timeout);
      expect(error.item).toBe(0);
      expect(error.message).toMatch(/time budget.*item 1 of 3/);
      expect(await sandbox.map(items, 'item[0]', live())).toEqual(['a', 'b', 'c']);
    });

    it('stops a catastrophic regular expression, as a pattern or inside an expression', async () => {
      const sandbox = make(SHORT_MS);
      const evil = [`${'a'.repeat(40)}!`];
      const pattern = await failure(sandbox.test(evil, { pattern: '^(a+)+$' }, live()));
      expect(pattern.reason).toBe(ExpressionFailure.timeout);
      const inline = await failure(sandbox.test(evil, { expression: '/^(a|a)*$/.test(item)' }, live()));
      expect(inline.reason).toBe(ExpressionFailure.timeout);
      expect(await sandbox.test(['aaa'], { pattern: '^(a+)+$' }, live())).toEqual([true]);
    });

    it('stops unbounded allocation of objects, strings, arrays and TypedArrays', async () => {
      const sandbox = make(LONG_MS);
      const grabs = [
        '(() => { const a = []; for (;;) a.push(new Array(1e5).fill({ item })); })()',
        '(() => { const o = {}; for (let i = 0; ; i++) o["k" + i] = item; })()',
        '(() => { const a = []; for (;;) a.push(item.repeat(10 * 1024 * 1024)); })()',
        '(() => { const a = []; for (;;) a.push(new Array(4 * 1024 * 1024).fill(index)); })()',
        '(() => { const a = []; for (;;) a.push(new Uint8Array(16 * 1024 * 1024)); })()',
        'new ArrayBuffer(2 ** 30).byteLength',
      ];
      for (const expression of grabs) {
        const error = await failure(sandbox.test(['x'], { expression }, live()));
        expect(error.reason, expression).toBe(ExpressionFailure.memory);
        expect(error.message, expression).toMatch(/out of memory|crashed the sandbox/);
      }
      expect(await sandbox.test(['x'], { expression: 'item === "x"' }, live())).toEqual([true]);
    });

    it('stops endless recursion and deeply nested data, in JavaScript and in the engine', async () => {
      const sandbox = make(LONG_MS);
      const deep = [
        '(function f() { return f() + 1; })()',
        '(() => { const f = () => [1].map(f); return f(); })()',
        '(() => { let a = []; for (let i = 0; i < 1e5; i++) a = [a]; return JSON.stringify(a).length; })()',
        '(() => { let a = []; for (let i = 0; i < 1e5; i++) a = [a]; return String(a).length; })()',
        'JSON.parse("[".repeat(1e5) + "]".repeat(1e5)).length',
        'eval("(".repeat(1e5) + "1" + ")".repeat(1e5))',
      ];
      for (const expression of deep) {
        const error = await failure(sandbox.test(['x'], { expression }, live()));
        expect(error.reason, expression).toBe(ExpressionFailure.stack);
      }
      expect(
        await sandbox.map(['x'], '(function f(n) { return n ? f(n - 1) : item; })(200)', live()),
      ).toEqual(['x']);
    });

    it('exposes nothing of the host', async () => {
      const hostNames = [
        'require',
        'process',
        'console',
        'fetch',
        'setTimeout',
        'Buffer',
        'WebAssembly',
        'module',
      ];
      const expression = `[${hostNames.map((n) => `typeof ${n}`).join(', ')}].join()`;
      expect(await make(LONG_MS).map(['x'], expression, live())).toEqual([
        hostNames.map(() => 'undefined').join(),
      ]);
    });

    it('gives the same result for the same item: no clock, no random source', async () => {
      const sandbox = make(LONG_MS);
      for (const expression of [
        'Math.random()',
        'Date.now()',
        'new Date()',
        'Date()',
        'new (new Date(0).constructor)()',
      ]) {
        const error = await failure(sandbox.map(['x'], expression, live()));
        expect(error.reason, expression).toBe(ExpressionFailure.threw);
        expect(error.message, expression).toMatch(
          /is not available: an expression must give the same result/,
        );
      }
      expect(await sandbox.map(['2024-05-01T00:00:00Z'], 'new Date(item).getUTCFullYear()', live())).toEqual([
        '2024',
      ]);
    });

    it('carries nothing from one call to the next', async () => {
      const sandbox = make(LONG_MS);
      expect(await sandbox.map(['x'], '(globalThis.leak = item, String(globalThis.leak))', live())).toEqual([
        'x',
      ]);
      expect(await sandbox.map(['y'], 'typeof globalThis.leak', live())).toEqual(['undefined']);
    });

    it('stops when its signal is aborted', async () => {
      const controller = new AbortController();
      controller.abort(new Error('cancelled by the user'));
      const error = await failure(make(LONG_MS).test(items, { expression: 'true' }, controller.signal));
      expect(error.reason).toBe(ExpressionFailure.cancelled);
    });
  });
}
