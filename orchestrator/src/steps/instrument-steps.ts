// `summarize`, `extract-keywords`, `classify` and `embed`: with the `local` model (their default) they
// run on the local instrument, extractive and statistical, in this process; with any other model
// they fail with `needs_instrument` until the next issue adds remote instruments.
import { isLocalModel, LOCAL_BADGE } from '@symphony/schemas';
import type { LocalInstrument } from '../instrument/LocalInstrument.js';
import { needsInstrument } from './needs-instrument.js';
import { packageVersion } from './package-version.js';
import type { Step } from './Step.js';
import { stepParams, textInput, throwIfAborted } from './step-inputs.js';

/** The local instrument's version: wink-nlp's and its model's, since both shape every output. */
function localVersion(): string {
  return `1+wink-nlp.${packageVersion('wink-nlp')}+model.${packageVersion('wink-eng-lite-web-model')}`;
}

/** The four local-capable steps on `instrument`. */
export function localInstrumentSteps(instrument: LocalInstrument): Step[] {
  const version = localVersion();
  const local = { version, deterministic: true, label: LOCAL_BADGE } as const;
  return [
    {
      type: 'summarize',
      ...local,
      async run(context) {
        const { model, length, focus } = stepParams('summarize', context);
        if (!isLocalModel(model)) throw needsInstrument('summarize', model, true);
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
        if (!isLocalModel(model)) throw needsInstrument('extract-keywords', model, true);
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
        if (!isLocalModel(model)) throw needsInstrument('classify', model, true);
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
        if (!isLocalModel(model)) throw needsInstrument('embed', model, true);
        const text = textInput('embed', context, 'text');
        throwIfAborted('embed', context.signal);
        return { embedding: await instrument.embed(text, dimensions) };
      },
    },
  ];
}
