// `validate-json`: parses its input as JSON and, when the node has a schema, validates it with Ajv
// (draft 2020-12 unless the schema's `$schema` says draft-07 or 2019-09). The schema comes from a
// shared workflow: its regular expressions run in a QuickJS guest with a time budget.
import { RunErrorCode } from '@symphony/schemas';
import { Ajv, type ErrorObject, type Options } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ExpressionError, ExpressionFailure } from '../sandbox/ExpressionSandbox.js';
import { QuickJsRegExps, type QuickJsRegExpsOptions } from '../sandbox/QuickJsRegExps.js';
import { packageVersion } from './package-version.js';
import { type JsonValue, type Step, StepError } from './Step.js';
import { SANDBOXED_CONCURRENCY, stepParams, textInput } from './step-inputs.js';

/** 20: enough to see what is wrong; the rest are counted. */
const MAX_LISTED_ERRORS = 20;

/** A JSON text's value, or an `invalid_json` error that says where it stops parsing. */
export function parseJson(text: string, what: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StepError(RunErrorCode.invalidJson, `validate-json: ${what} is not JSON: ${reason}`);
  }
}

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

/** The value of `text` if it matches `schema`; otherwise an `invalid_json` error listing why. */
function validate(value: JsonValue, schema: JsonValue, regExps: QuickJsRegExps): JsonValue {
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
    check = ajvFor(schema, options).compile(schema as object | boolean);
  } catch (error) {
    if (error instanceof ExpressionError) throw patternError(error);
    const reason = error instanceof Error ? error.message : String(error);
    throw new StepError(
      RunErrorCode.invalidJson,
      `validate-json: the node's schema is not a valid JSON Schema: ${reason}`,
    );
  }
  let valid: boolean;
  try {
    valid = check(value) as boolean;
  } catch (error) {
    if (error instanceof ExpressionError) throw patternError(error);
    throw error;
  }
  if (valid) return value;
  const errors = check.errors ?? [];
  const lines = describeErrors(errors);
  throw new StepError(
    RunErrorCode.invalidJson,
    `validate-json: the JSON does not match the schema:\n${lines.join('\n')}`,
    false,
    {
      errors: errors
        .slice(0, MAX_LISTED_ERRORS)
        .map((e) => ({ instancePath: e.instancePath, message: e.message })),
    },
  );
}

/** A schema pattern that did not parse, or ran past its budget, as the node's error. */
function patternError(error: ExpressionError): StepError {
  if (error.reason === ExpressionFailure.syntax) {
    return new StepError(RunErrorCode.invalidJson, `validate-json: the node's schema has ${error.message}`);
  }
  if (error.reason === ExpressionFailure.cancelled)
    return new StepError(RunErrorCode.cancelled, 'validate-json: cancelled');
  return new StepError(
    RunErrorCode.expressionFailed,
    `validate-json: in the node's schema, ${error.message}`,
    false,
    {
      reason: error.reason,
    },
  );
}

/** `validate-json`: outputs its `text` input's JSON value on `json`, once it parses and matches the schema. */
export function validateJsonStep(options: QuickJsRegExpsOptions = {}): Step {
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
      const regExps = await QuickJsRegExps.open(options, context.signal);
      try {
        return { json: validate(value, schemaValue, regExps) };
      } finally {
        regExps.dispose();
      }
    },
  };
}
