// `map`: rewrites each text of a list through a template, or through an expression run in the
// ExpressionSandbox (it comes from a shared workflow: untrusted).
import type { ExpressionSandbox } from '../sandbox/ExpressionSandbox.js';
import { expressionStepError } from './expression-error.js';
import type { Step } from './Step.js';
import { SANDBOXED_CONCURRENCY, stepParams, textListInput } from './step-inputs.js';

/** `map`: each item through its template (`{{item}}` stands for the item), or its expression when set. */
export function mapStep(sandbox: ExpressionSandbox): Step {
  return {
    type: 'map',
    version: '1',
    deterministic: true,
    concurrency: SANDBOXED_CONCURRENCY,
    async run(context) {
      const { template, expression } = stepParams('map', context);
      const items = textListInput('map', context, 'items');
      if (expression.trim() === '')
        return { items: items.map((item) => template.replaceAll('{{item}}', () => item)) };
      const mapped = await sandbox.map(items, expression, context.signal).catch((error: unknown) => {
        throw expressionStepError('map', error);
      });
      return { items: mapped };
    },
  };
}
