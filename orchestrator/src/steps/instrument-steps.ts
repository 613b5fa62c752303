// `summarize`, `extract-keywords`, `classify` and `embed`: with the `local` model (their default) they
// run on the local instrument, extractive and statistical, in this process; with any other model
// on the configured remote instruments (or fail with `needs_instrument` when there are none). The
// step's version and determinism are the local instrument's: a remote answer is never cached
// because `cacheable` says so per node.
import { isLocalModel, LOCAL_BADGE } from '@symphony/schemas';
import type { LocalInstrument } from '../instrument/LocalInstrument.js';
import { needsInstrument } from './needs-instrument.js';
import { packageVersion } from './package-version.js';
import { type RemoteInstruments, remoteStepTimeout } from './remote-instruments.js';
import type { Step } from './Step.js';
import { stepParams, textInput, throwIfAborted } from './step-inputs.js';

/** The local instrument's version: wink-nlp's and its model's, since both shape every output. */
function localVersion(): string {
  return `1+wink-nlp.${packageVersion('wink-nlp')}+model.${packageVersion('wink-eng-lite-web-model')}`;
}

/** A node's output is cached only when the local instrument made it: a remote model's answer varies. */
function cacheable(params: Readonly<Record<string, unknown>>): boolean {
  return typeof params.model !== 'string' || isLocalModel(params.model);
}

/** The four local-capable steps on `instrument`, and on `remote` for any other model. */
export function localInstrumentSteps(instrument: LocalInstrument, remote?: RemoteInstruments): Step[] {
  const version = localVersion();
  const timeoutMs = remoteStepTimeout(remote);
  const local = {
    version,
    deterministic: true,
    cacheable,
    label: LOCAL_BADGE,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  } as const;
  const elsewhere = (type: string, model: string, context: Parameters<Step['run']>[0]) => {
    if (remote === undefined) throw needsInstrument(type, model, true);
    return remote.run(type, model, context);
  };
  return [
    {
      type: 'summarize',
      ...local,
      async run(context) {
        const { model, length, focus } = stepParams('summarize', context);
        if (!isLocalModel(model)) return elsewhere('summarize', model, context);
        const text = textInput('summarize', context, 'text');
        throwIfAborted('summarize', context.signal);
        return { summary: await instrument.summarize(text, { length, focus }) };
      },
    },
    {
      type: 'extract-keywords',
      ...local,
      async run(context) {
        const { model, count } = stepParams('extract-keywords', context);
        if (!isLocalModel(model)) return elsewhere('extract-keywords', model, context);
        const text = textInput('extract-keywords', context, 'text');
        throwIfAborted('extract-keywords', context.signal);
        return { keywords: await instrument.keywords(text, count) };
      },
    },
    {
      type: 'classify',
      ...local,
      async run(context) {
        const { model, labels } = stepParams('classify', context);
        if (!isLocalModel(model)) return elsewhere('classify', model, context);
        const text = textInput('classify', context, 'text');
        throwIfAborted('classify', context.signal);
        const result = await instrument.classify(text, labels);
        if (!result.matched) {
          context.progress({
            message: `no label's words occur in the text; chose the first label, "${result.label}"`,
          });
        }
        return { label: result.label };
      },
    },
    {
      type: 'embed',
      ...local,
      async run(context) {
        const { model, dimensions } = stepParams('embed', context);
        if (!isLocalModel(model)) return elsewhere('embed', model, context);
        const text = textInput('embed', context, 'text');
        throwIfAborted('embed', context.signal);
        return { embedding: await instrument.embed(text, dimensions) };
      },
    },
  ];
}
