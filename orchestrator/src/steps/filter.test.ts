// Tests of filter: by pattern (as before expressions existed) and by expression, both run in the
// sandbox; a hostile pattern or expression fails its node with expression_failed and the next node
// runs fine in the same process.
import { describe, expect, it } from 'vitest';
import { QuickJsExpressionSandbox } from '../sandbox/QuickJsExpressionSandbox.js';
import { stepContext } from './fake-context.js';
import { filterStep } from './filter.js';
import { StepError } from './Step.js';

const filter = filterStep(new QuickJsExpressionSandbox({ itemBudgetMs: 200 }));
const items = ['error: disk full', 'ok', 'error: timeout', 'warning'];

async function run(params: Record<string, unknown>, list: readonly string[] = items) {
  return filter.run(stepContext({ params, inputs: { items: [list] } }));
}

describe('filter', () => {
  it('keeps the items its pattern matches, or the others with invert (params of older workflows)', async () => {
    expect(await run({ pattern: '^error' })).toEqual({ items: ['error: disk full', 'error: timeout'] });
    expect(await run({ pattern: '^error', invert: true })).toEqual({ items: ['ok', 'warning'] });
  });

  it('keeps the items its expression is truthy for, with item and index in scope', async () => {
    expect(await run({ pattern: '.', expression: 'item.length > 5 && index < 3' })).toEqual({
      items: ['error: disk full', 'error: timeout'],
    });
    expect(await run({ pattern: '.', expression: 'index % 2', invert: true })).toEqual({
      items: ['error: disk full', 'error: timeout'],
    });
  });

  it('fails on a catastrophic pattern with expression_failed, and the next node runs fine', async () => {
    const error = await run({ pattern: '^(a+)+$' }, [`${'a'.repeat(40)}!`]).catch((e) => e);
    expect(error).toBeInstanceOf(StepError);
    expect(error).toMatchObject({
      code: 'expression_failed',
      retryable: false,
      details: { reason: 'timeout', item: 0 },
    });
    expect(error.message).toMatch(/^filter: the pattern ran past its time budget .* on item 1 of 1/);
    expect(await run({ pattern: 'ok' })).toEqual({ items: ['ok'] });
  });

  it('fails on an expression that loops, allocates without bound, recurses or throws', async () => {
    const cases: [string, RegExp][] = [
      ['(() => { for (;;) {} })()', /time budget/],
      ['(() => { const a = []; for (;;) a.push(item.repeat(1 << 20)); })()', /out of memory/],
      ['(function f() { return f(); })()', /stack overflow|ran out of stack/],
      ['index === 2 ? null.x : true', /threw TypeError.*item 3 of 4 \("error: timeout"\)/],
      ['item ==', /does not parse/],
    ];
    for (const [expression, message] of cases) {
      const error = await run({ pattern: '.', expression }).catch((e) => e);
      expect(error, expression).toMatchObject({ code: 'expression_failed' });
      expect(error.message, expression).toMatch(message);
    }
    expect(await run({ pattern: '.', expression: 'true' })).toEqual({ items });
  });

  it('refuses an input that is not a list of texts', async () => {
    const error = await filter
      .run(stepContext({ params: { pattern: '.' }, inputs: { items: ['just text'] } }))
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'invalid_input' });
  });
});
