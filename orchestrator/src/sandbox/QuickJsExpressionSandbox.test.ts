// Runs the ExpressionSandbox acceptance suite against QuickJsExpressionSandbox, then checks what is
// particular to it: the budget of a whole call, its options, and many items in slices.
import { describe, expect, it } from 'vitest';
import { runExpressionSandboxTests } from './acceptance.js';
import { ExpressionError, ExpressionFailure, SandboxInputError } from './ExpressionSandbox.js';
import { QuickJsExpressionSandbox } from './QuickJsExpressionSandbox.js';

runExpressionSandboxTests(
  'QuickJsExpressionSandbox',
  (itemBudgetMs) => new QuickJsExpressionSandbox({ itemBudgetMs, budgetMs: Math.max(1000, itemBudgetMs) }),
);

const live = () => new AbortController().signal;

describe('QuickJsExpressionSandbox', () => {
  it('stops a call whose items each fit the item budget but not the whole call’s budget', async () => {
    // A clock that moves 1 ms each time it is read: time is the sandbox's own count, not the machine's.
    let t = 0;
    const sandbox = new QuickJsExpressionSandbox({
      now: () => t++,
      budgetMs: 50,
      budgetPerItemMs: 0,
      itemBudgetMs: 1_000_000,
    });
    const items = Array.from({ length: 1000 }, (_, i) => `item ${i}`);
    const error = await sandbox.map(items, 'item', live()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).reason).toBe(ExpressionFailure.timeout);
    expect((error as ExpressionError).message).toMatch(/time budget of 50 ms for 1000 items/);
  });

  it('does not count the time it spends yielded to the event loop against the budget', async () => {
    // A neighbour that runs on every turn of the event loop and costs 50 s of the sandbox's clock
    // each time (another step formatting code): the call yields often, and must still succeed.
    let t = 0;
    let done = false;
    const neighbour = () => {
      t += 50_000;
      if (!done) setImmediate(neighbour);
    };
    const sandbox = new QuickJsExpressionSandbox({
      now: () => t++,
      budgetMs: 100_000,
      itemBudgetMs: 1_000_000,
    });
    const items = Array.from({ length: 1000 }, (_, i) => `item ${i}`);
    setImmediate(neighbour);
    try {
      expect(await sandbox.map(items, 'item + "!"', live())).toHaveLength(1000);
    } finally {
      done = true;
    }
    expect(t).toBeGreaterThan(100_000);
  });

  it('runs many items, yielding to the event loop between slices', async () => {
    const sandbox = new QuickJsExpressionSandbox({ sliceMs: 1 });
    const items = Array.from({ length: 20_000 }, (_, i) => String(i));
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      const kept = await sandbox.test(items, { expression: 'Number(item) % 1000 === 0' }, live());
      expect(kept.filter(Boolean)).toHaveLength(20);
    } finally {
      clearInterval(ticker);
    }
    expect(turns).toBeGreaterThan(0);
  });

  it('notices a signal aborted while it works', async () => {
    const controller = new AbortController();
    const sandbox = new QuickJsExpressionSandbox({ sliceMs: 1 });
    const items = Array.from({ length: 100_000 }, (_, i) => String(i));
    const pending = sandbox.map(items, 'item + item', controller.signal).catch((e: unknown) => e);
    setImmediate(() => controller.abort());
    const error = await pending;
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).reason).toBe(ExpressionFailure.cancelled);
  });

  it('refuses invalid options and arguments with a named error', async () => {
    expect(() => new QuickJsExpressionSandbox({ stackBytes: 10 })).toThrow(SandboxInputError);
    const sandbox = new QuickJsExpressionSandbox();
    await expect(sandbox.test([1 as unknown as string], { expression: 'true' }, live())).rejects.toThrow(
      SandboxInputError,
    );
    await expect(sandbox.map(['x'], '', live())).rejects.toThrow(/expression must not be empty/);
  });
  it('has no BigInt: a slow native BigInt operation cannot run past the budget', async () => {
    // `3n ** 600000n` made into a string takes seconds in one native call the interrupt handler never sees.
    const sandbox = new QuickJsExpressionSandbox();
    const refusals = [
      'String(3n ** 600000n).length > 0',
      'BigInt(3) > 0',
      'new BigInt64Array(1)[0] === 0',
      '(function () {}).constructor("return 1" + "n")() > 0',
      'Object.getPrototypeOf(function* () {}).constructor("yield 1" + "n")',
      'typeof eval("1" + "n") === "bigint"',
      'Object.getPrototypeOf(async function () {}).constructor({ toString: () => "1n" })',
    ];
    for (const expression of refusals) {
      const error = await sandbox.test(['x'], { expression }, live()).catch((e: unknown) => e);
      expect(error, expression).toBeInstanceOf(ExpressionError);
      expect((error as ExpressionError).message, expression).toMatch(/BigInt is not available/);
    }
    expect(await sandbox.map(['x1'], 'item + "n" + eval("1 + 2")', live())).toEqual(['x1n3']);
  });
});
