// `filter`: keeps the texts of a list that a regular expression matches, or that an expression is
// truthy for. Both come from a shared workflow, so both run in the ExpressionSandbox (a catastrophic
// pattern would otherwise hang this process), never in this process's JavaScript engine.
import type { ExpressionSandbox } from '../sandbox/ExpressionSandbox.js';
import { expressionStepError } from './expression-error.js';
import type { Step } from './Step.js';
import { SANDBOXED_CONCURRENCY, stepParams, textListInput } from './step-inputs.js';

/** `filter`: keeps the items its pattern matches, or its expression (when set) is truthy for; `invert` keeps the others. */
export function filterStep(sandbox: ExpressionSandbox): Step {
  return {
    type: 'filter',
    version: '1',
    deterministic: true,
    concurrency: SANDBOXED_CONCURRENCY,
    async run(context) {
      const { pattern, invert, expression } = stepParams('filter', context);
      const items = textListInput('filter', context, 'items');
      const predicate = expression.trim() === '' ? { pattern } : { expression };
      const keep = await sandbox.test(items, predicate, context.signal).catch((error: unknown) => {
        throw expressionStepError('filter', error);
      });
      return { items: items.filter((_, i) => keep[i] !== invert) };
    },
  };
}
