// Node types that need a remote model (an AI instrument): `llm-prompt`, `translate`, `review-code`,
// `generate-tests`, and the local-capable types when a node asks for a remote model. They run on the
// configured instruments, and fail clearly when none is configured.
import { NodeLibrary, RunErrorCode } from '@symphony/schemas';
import { type RemoteInstruments, remoteStepTimeout } from './remote-instruments.js';
import { type Step, StepError } from './Step.js';
import { stepParams } from './step-inputs.js';

/** The `needs_instrument` error of a node of `type` that asked for `model`. */
export function needsInstrument(type: string, model: string, localChoice: boolean): StepError {
  const title = NodeLibrary.get(type)?.title ?? type;
  const instead = localChoice ? ' (or choose the Local model)' : '';
  return new StepError(
    RunErrorCode.needsInstrument,
    `${title} with model "${model}" needs an AI instrument; configure one with "symphony instruments add"${instead}`,
    false,
    { nodeType: type, model },
  );
}

/** Node types that only a remote model can run. */
export const REMOTE_ONLY_TYPES = ['llm-prompt', 'translate', 'review-code', 'generate-tests'] as const;
export type RemoteOnlyType = (typeof REMOTE_ONLY_TYPES)[number];

/**
 * The step of a remote-only node type: it runs on `instruments`, or fails with `needs_instrument`,
 * naming the model asked for, when there are none.
 */
export function remoteOnlyStep(type: RemoteOnlyType, instruments?: RemoteInstruments): Step {
  const timeoutMs = remoteStepTimeout(instruments);
  return {
    type,
    version: '1',
    // A language model's answer differs from call to call; never cached.
    deterministic: false,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    async run(context) {
      const { model } = stepParams(type, context);
      if (instruments === undefined) throw needsInstrument(type, model, false);
      return instruments.run(type, model, context);
    },
  };
}
