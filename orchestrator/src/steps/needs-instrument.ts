// Node types that need a remote model (an AI instrument) fail clearly until one is configured:
// `llm-prompt`, `translate`, `review-code`, `generate-tests`, and the local-capable types when a
// node asks for a remote model.
import { NodeLibrary, RunErrorCode } from '@symphony/schemas';
import { type Step, StepError } from './Step.js';
import { stepParams } from './step-inputs.js';

/** The `needs_instrument` error of a node of `type` that asked for `model`. */
export function needsInstrument(type: string, model: string, localChoice: boolean): StepError {
  const title = NodeLibrary.get(type)?.title ?? type;
  const instead = localChoice ? ' (or choose the Local model)' : '';
  return new StepError(
    RunErrorCode.needsInstrument,
    `${title} with model "${model}" needs an AI instrument; configure one${instead}`,
    false,
    { nodeType: type, model },
  );
}

/** Node types that only a remote model can run. */
export const REMOTE_ONLY_TYPES = ['llm-prompt', 'translate', 'review-code', 'generate-tests'] as const;
export type RemoteOnlyType = (typeof REMOTE_ONLY_TYPES)[number];

/** The step of a remote-only node type: it fails with `needs_instrument`, naming the model asked for. */
export function remoteOnlyStep(type: RemoteOnlyType): Step {
  return {
    type,
    version: '0',
    // A language model's answer differs from call to call; never cached.
    deterministic: false,
    async run(context) {
      const { model } = stepParams(type, context);
      throw needsInstrument(type, model, false);
    },
  };
}
