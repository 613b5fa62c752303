// `validate-json`: parses its input as JSON and, when the node has a schema, validates it with Ajv
// (draft 2020-12 unless the schema's `$schema` says draft-07 or 2019-09). The schema comes from a
// shared workflow, so it is compiled and checked in a worker with a heap limit, terminated at a time
// budget (a schema can make Ajv's work exponential); its regular expressions run in a QuickJS guest.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RunErrorCode } from '@symphony/schemas';
import { ExpressionFailure } from '../sandbox/ExpressionSandbox.js';
import type { QuickJsRegExpsOptions } from '../sandbox/QuickJsRegExps.js';
import type { SchemaCheckJob, SchemaCheckResult } from './json-schema-worker.js';
import { packageVersion } from './package-version.js';
import { type JsonValue, type Step, StepError } from './Step.js';
import { SANDBOXED_CONCURRENCY, stepParams, textInput } from './step-inputs.js';

export { describeErrors } from './json-schema-worker.js';

/**
 * Limits of `validate-json`: its schema patterns' and the whole check's. The patterns' `now` is
 * ignored: they are timed in the worker, on its own clock (a function does not cross to a worker).
 */
export type ValidateJsonOptions = QuickJsRegExpsOptions & {
  /** 5 s: how long compiling the schema and checking one value may take, patterns included. */
  readonly checkBudgetMs?: number;
  /** 128 MiB: the checking worker's JavaScript heap. */
  readonly checkMemoryMb?: number;
};

/** The worker entry, compiled beside this module; from the sources (tests), the compiled one in dist. */
function workerEntry(): URL {
  const beside = new URL('./json-schema-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL('../../dist/steps/json-schema-worker.js', import.meta.url);
}

/** A JSON text's value, or an `invalid_json` error that says where it stops parsing. */
export function parseJson(text: string, what: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StepError(RunErrorCode.invalidJson, `validate-json: ${what} is not JSON: ${reason}`);
  }
}

/** Runs `job` in a fresh worker: its answer, or a `StepError` when it runs out of time or memory, or is cancelled. */
function checkInWorker(
  job: SchemaCheckJob,
  limits: { readonly budgetMs: number; readonly memoryMb: number },
  signal: AbortSignal,
): Promise<SchemaCheckResult> {
  if (signal.aborted)
    return Promise.reject(new StepError(RunErrorCode.cancelled, 'validate-json: cancelled'));
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerEntry(), {
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: 16 },
    });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      outcome();
    };
    const tooHard = (what: string) =>
      new StepError(
        RunErrorCode.invalidJson,
        `validate-json: the JSON Schema took ${what} to check; simplify it (fewer alternatives through $ref, shallower nesting)`,
      );
    const watchdog = setTimeout(
      () => finish(() => reject(tooHard(`more than ${limits.budgetMs / 1000} s`))),
      limits.budgetMs,
    );
    const onAbort = () =>
      finish(() => reject(new StepError(RunErrorCode.cancelled, 'validate-json: cancelled')));
    signal.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (result: SchemaCheckResult) => finish(() => resolve(result)));
    worker.once('error', (error: Error & { code?: string }) =>
      finish(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? tooHard(`more memory than ${limits.memoryMb} MiB`)
            : new StepError(
                RunErrorCode.stepFailed,
                `validate-json: the schema check failed: ${error.message}`,
              ),
        ),
      ),
    );
    worker.once('exit', (code) =>
      finish(() =>
        reject(
          new StepError(RunErrorCode.stepFailed, `validate-json: the schema check stopped (code ${code})`),
        ),
      ),
    );
  });
}

/** The worker's answer as the node's output, or its error. */
function outcome(value: JsonValue, result: SchemaCheckResult): JsonValue {
  switch (result.kind) {
    case 'valid':
      return value;
    case 'invalid-schema':
      throw new StepError(
        RunErrorCode.invalidJson,
        `validate-json: the node's schema is not a valid JSON Schema: ${result.message}`,
      );
    case 'mismatch':
      throw new StepError(
        RunErrorCode.invalidJson,
        `validate-json: the JSON does not match the schema:\n${result.lines.join('\n')}`,
        false,
        { errors: result.errors },
      );
    case 'pattern':
      if (result.reason === ExpressionFailure.syntax) {
        throw new StepError(
          RunErrorCode.invalidJson,
          `validate-json: the node's schema has ${result.message}`,
        );
      }
      if (result.reason === ExpressionFailure.cancelled)
        throw new StepError(RunErrorCode.cancelled, 'validate-json: cancelled');
      throw new StepError(
        RunErrorCode.expressionFailed,
        `validate-json: in the node's schema, ${result.message}`,
        false,
        { reason: result.reason },
      );
  }
}

/** `validate-json`: outputs its `text` input's JSON value on `json`, once it parses and matches the schema. */
export function validateJsonStep(options: ValidateJsonOptions = {}): Step {
  const { checkBudgetMs = 5000, checkMemoryMb = 128, now: _clock, ...patterns } = options;
  return {
    type: 'validate-json',
    version: `1+ajv.${packageVersion('ajv')}`,
    deterministic: true,
    concurrency: SANDBOXED_CONCURRENCY,
    async run(context) {
      const { schema } = stepParams('validate-json', context);
      const value = parseJson(textInput('validate-json', context, 'text'), 'the input');
      if (schema.trim() === '') return { json: value };
      const schemaValue = parseJson(schema, "the node's schema");
      const job: SchemaCheckJob = { value, schema: schemaValue, patterns };
      const result = await checkInWorker(
        job,
        { budgetMs: checkBudgetMs, memoryMb: checkMemoryMb },
        context.signal,
      );
      return { json: outcome(value, result) };
    },
  };
}
