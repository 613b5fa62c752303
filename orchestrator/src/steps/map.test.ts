// Tests of map: through a template (as before expressions existed) or an expression run in the
// sandbox, whose value is the new item or its JSON text.
import { describe, expect, it } from 'vitest';
import { QuickJsExpressionSandbox } from '../sandbox/QuickJsExpressionSandbox.js';
import { stepContext } from './fake-context.js';
import { mapStep } from './map.js';

const map = mapStep(new QuickJsExpressionSandbox({ itemBudgetMs: 200 }));

async function run(params: Record<string, unknown>, items: readonly string[] = ['a', 'b$&']) {
  return map.run(stepContext({ params, inputs: { items: [items] } }));
}

describe('map', () => {
  it('rewrites each item through its template, taking the item literally', async () => {
    expect(await run({ template: '- {{item}} ({{item}})' })).toEqual({ items: ['- a (a)', '- b$& (b$&)'] });
  });

  it('rewrites each item through its expression: a string as it is, other values as JSON text', async () => {
    expect(await run({ template: '{{item}}', expression: 'item.toUpperCase() + index' })).toEqual({
      items: ['A0', 'B$&1'],
    });
    expect(await run({ template: '{{item}}', expression: '({ text: item, n: item.length })' })).toEqual({
      items: ['{"text":"a","n":1}', '{"text":"b$&","n":3}'],
    });
  });

  it('fails clearly when the expression gives no value, loops or throws', async () => {
    const none = await run({ template: '{{item}}', expression: 'undefined' }).catch((e) => e);
    expect(none).toMatchObject({ code: 'expression_failed', details: { reason: 'result', item: 0 } });
    expect(none.message).toMatch(/^map: the expression gave a value that is neither a string nor JSON/);
    const loop = await run({ template: '{{item}}', expression: '(() => { while (true); })()' }).catch(
      (e) => e,
    );
    expect(loop).toMatchObject({ code: 'expression_failed', details: { reason: 'timeout' } });
    expect(await run({ template: '{{item}}', expression: 'item' })).toEqual({ items: ['a', 'b$&'] });
  });

  it('reports a cancelled run as cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await map
      .run(
        stepContext({
          params: { template: '{{item}}', expression: 'item' },
          inputs: { items: [['a']] },
          signal: controller.signal,
        }),
      )
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'cancelled' });
  });
});
