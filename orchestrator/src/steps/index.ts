// The built-in steps: every node type of the node library that runs (notes and groups do not), in
// this process. Operators run here as trusted code; expressions and patterns from workflows run in
// the ExpressionSandbox; summarize/classify/extract-keywords/embed run on the local instrument.
import { NodeKind, NodeLibrary, RunLimits } from '@symphony/schemas';
import { z } from 'zod';
import type { LocalInstrument } from '../instrument/LocalInstrument.js';
import { WinkInstrument } from '../instrument/WinkInstrument.js';
import type { ExpressionSandbox } from '../sandbox/ExpressionSandbox.js';
import { QuickJsExpressionSandbox } from '../sandbox/QuickJsExpressionSandbox.js';
import type { QuickJsRegExpsOptions } from '../sandbox/QuickJsRegExps.js';
import { codeFormatStep } from './code-format.js';
import { filterStep } from './filter.js';
import { localInstrumentSteps } from './instrument-steps.js';
import { joinTextStep } from './join-text.js';
import { mapStep } from './map.js';
import { REMOTE_ONLY_TYPES, remoteOnlyStep } from './needs-instrument.js';
import { type ReadCodeOptions, readCodeStep } from './read-code.js';
import { readDocumentStep } from './read-document.js';
import type { RemoteInstruments } from './remote-instruments.js';
import type { Step } from './Step.js';
import { splitTextStep } from './split-text.js';
import { validateJsonStep } from './validate-json.js';
import { writeDocumentStep } from './write-document.js';

/** What the built-in steps run on; each has a default. */
export interface BuiltinStepsOptions {
  /** Where `filter` and `map` evaluate expressions and patterns; default a {@link QuickJsExpressionSandbox}. */
  readonly sandbox?: ExpressionSandbox;
  /** The local instrument; default a {@link WinkInstrument} (wink-nlp, loaded on first use). */
  readonly instrument?: LocalInstrument;
  /** The configured AI instruments, for nodes whose model is not `local`; none: `needs_instrument`. */
  readonly remote?: RemoteInstruments;
  /** `read-code`'s limits. */
  readonly readCode?: ReadCodeOptions;
  /** Budgets of `validate-json`'s schema patterns. */
  readonly schemaPatterns?: QuickJsRegExpsOptions;
}

/** Thrown for options {@link builtinSteps} refuses, or when the steps and the node library disagree. */
export class BuiltinStepsError extends Error {
  override name = 'BuiltinStepsError';
}

const hasMethods =
  (...names: string[]) =>
  (value: unknown): boolean =>
    typeof value === 'object' &&
    value !== null &&
    names.every((n) => typeof (value as Record<string, unknown>)[n] === 'function');

const Options = z
  .object({
    sandbox: z
      .custom<ExpressionSandbox>(hasMethods('test', 'map'), 'sandbox must be an ExpressionSandbox')
      .optional(),
    instrument: z
      .custom<LocalInstrument>(
        hasMethods('summarize', 'keywords', 'classify', 'embed'),
        'instrument must be a LocalInstrument',
      )
      .optional(),
    remote: z.custom<RemoteInstruments>(hasMethods('run'), 'remote must be RemoteInstruments').optional(),
    readCode: z
      .object({ maxBytes: z.number().int().positive().max(RunLimits.maxOutputBytes).optional() })
      .strict()
      .optional(),
    schemaPatterns: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** The built-in steps, by node type: one for every node type in the node library that runs. */
export function builtinSteps(input: BuiltinStepsOptions = {}): ReadonlyMap<string, Step> {
  const parsed = Options.safeParse(input);
  if (!parsed.success) throw new BuiltinStepsError(`builtinSteps: ${z.prettifyError(parsed.error)}`);
  const options = parsed.data as BuiltinStepsOptions;
  const sandbox = options.sandbox ?? new QuickJsExpressionSandbox();
  const instrument = options.instrument ?? new WinkInstrument();
  const steps: Step[] = [
    readDocumentStep,
    writeDocumentStep,
    readCodeStep(options.readCode),
    splitTextStep(),
    joinTextStep,
    filterStep(sandbox),
    mapStep(sandbox),
    validateJsonStep(options.schemaPatterns),
    codeFormatStep(),
    ...localInstrumentSteps(instrument, options.remote),
    ...REMOTE_ONLY_TYPES.map((type) => remoteOnlyStep(type, options.remote)),
  ];
  const byType = new Map(steps.map((s) => [s.type, s]));
  for (const step of steps) {
    if (!NodeLibrary.has(step.type))
      throw new BuiltinStepsError(`built-in step "${step.type}" is not in the node library`);
  }
  return byType;
}

/** Whether a node of `type` runs at all (notes and groups, the addons, do not). */
export function runsAsStep(type: string): boolean {
  const spec = NodeLibrary.get(type);
  return spec !== undefined && spec.kind !== NodeKind.addon;
}
