// The worker side of `validate-json`: compiles a shared workflow's JSON Schema with Ajv and checks a
// value against it, in a `worker_threads` Worker the host terminates at its time budget and V8
// stops at its heap limit (a schema whose `$ref`s fan out can make Ajv's work exponential). Its
// patterns run in a QuickJS guest opened here, in the worker, under their own time budget.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Ajv, type ErrorObject, type Options } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ExpressionError, type ExpressionFailure } from '../sandbox/ExpressionSandbox.js';
import { QuickJsRegExps, type QuickJsRegExpsOptions } from '../sandbox/QuickJsRegExps.js';
import type { JsonValue } from './Step.js';

/** 20: enough to see what is wrong; the rest are counted. */
export const MAX_LISTED_ERRORS = 20;

/** What the host sends: the value, the schema, and the pattern limits (numbers only: no clock crosses). */
export interface SchemaCheckJob {
  readonly value: JsonValue;
  readonly schema: JsonValue;
  readonly patterns: Omit<QuickJsRegExpsOptions, 'now'>;
}

/** What the worker answers. */
export type SchemaCheckResult =
  | { readonly kind: 'valid' }
  | { readonly kind: 'invalid-schema'; readonly message: string }
  | {
      readonly kind: 'mismatch';
      readonly lines: readonly string[];
      readonly errors: readonly { readonly instancePath: string; readonly message: string | undefined }[];
    }
  | { readonly kind: 'pattern'; readonly reason: ExpressionFailure; readonly message: string };

function isObject(value: JsonValue): value is { readonly [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The Ajv class for the draft `schema` declares (2020-12 when it declares none). */
function ajvFor(schema: JsonValue, options: Options): Ajv {
  const declared = isObject(schema) ? schema.$schema : undefined;
  const draft = typeof declared === 'string' ? declared : '';
  if (/draft-07|draft-06/.test(draft)) return new Ajv(options);
  if (/2019-09/.test(draft)) return new Ajv2019(options);
  return new Ajv2020(options);
}

/** Ajv's errors as lines a person reads: `/items/0/name: must be string`. */
export function describeErrors(errors: readonly ErrorObject[]): string[] {
  const lines = errors
    .slice(0, MAX_LISTED_ERRORS)
    .map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
  if (errors.length > MAX_LISTED_ERRORS) lines.push(`… and ${errors.length - MAX_LISTED_ERRORS} more`);
  return lines;
}

/** Compiles `job.schema` and checks `job.value` against it, on this thread; never throws. */
export async function checkSchema(job: SchemaCheckJob): Promise<SchemaCheckResult> {
  // The host terminates this worker when the node is cancelled: the guest needs no signal of its own.
  const regExps = await QuickJsRegExps.open(job.patterns, new AbortController().signal);
  try {
    const options: Options = {
      allErrors: true,
      // A pasted schema may use keywords and formats Ajv does not know; they are ignored, not refused.
      strict: false,
      validateFormats: false,
      logger: false,
      code: { regExp: regExps.engine },
    };
    let check: ReturnType<Ajv['compile']>;
    try {
      check = ajvFor(job.schema, options).compile(job.schema as object | boolean);
    } catch (error) {
      if (error instanceof ExpressionError) return patternFailure(error);
      return { kind: 'invalid-schema', message: error instanceof Error ? error.message : String(error) };
    }
    try {
      if (check(job.value) === true) return { kind: 'valid' };
    } catch (error) {
      if (error instanceof ExpressionError) return patternFailure(error);
      throw error;
    }
    const errors = check.errors ?? [];
    return {
      kind: 'mismatch',
      lines: describeErrors(errors),
      errors: errors
        .slice(0, MAX_LISTED_ERRORS)
        .map((e) => ({ instancePath: e.instancePath, message: e.message })),
    };
  } finally {
    regExps.dispose();
  }
}

function patternFailure(error: ExpressionError): SchemaCheckResult {
  return { kind: 'pattern', reason: error.reason, message: error.message };
}

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  void checkSchema(workerData as SchemaCheckJob).then((result) => port.postMessage(result));
}
