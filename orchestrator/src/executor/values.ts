// Step values ↔ artifact bytes, by the port's data type: text-like values as UTF-8 text, lists,
// vectors and JSON as JSON. Decoding an input converts as an edge may (`canFlow`): json → text is
// the JSON text.
import { canFlow, DataType, type PortSpec, RunErrorCode } from '@symphony/schemas';
import { StepError, type StepValue } from '../steps/Step.js';

/** The media type of text-like values: `text`, `document`, `code`, `label`. */
export const TEXT_MEDIA_TYPE = 'text/plain; charset=utf-8';
/** The media type of `text-list`, `embedding`, `json` and `any` values. */
export const JSON_MEDIA_TYPE = 'application/json';

const TEXT_TYPES: ReadonlySet<DataType> = new Set([
  DataType.text,
  DataType.document,
  DataType.code,
  DataType.label,
]);

/** An output value ready for the ArtifactStore. */
export interface EncodedValue {
  readonly content: string;
  readonly mediaType: string;
  /** UTF-8 bytes of `content`. */
  readonly size: number;
}

/**
 * Encodes the value a step returned for output `port`. Throws a `StepError`: `step_failed` when
 * the value does not have the port's type (a bug in the step, named in the message),
 * `artifact_failed` when it encodes to more than `maxBytes`.
 */
export function encodeOutput(value: unknown, port: PortSpec, maxBytes: number): EncodedValue {
  if (value === undefined) {
    throw new StepError(RunErrorCode.stepFailed, `the step returned no value for output “${port.name}”`);
  }
  const problem = typeProblem(value, port.type);
  if (problem !== undefined) {
    throw new StepError(
      RunErrorCode.stepFailed,
      `the step returned ${problem} for output “${port.name}”, which takes ${describeType(port.type)}`,
    );
  }
  const text = TEXT_TYPES.has(port.type);
  const content = text ? (value as string) : JSON.stringify(value);
  const size = Buffer.byteLength(content, 'utf8');
  if (size > maxBytes) {
    throw new StepError(
      RunErrorCode.artifactFailed,
      `output “${port.name}” is ${size} bytes, more than the limit of ${maxBytes}; make the node produce less (split its input first)`,
    );
  }
  return { content, mediaType: text ? TEXT_MEDIA_TYPE : JSON_MEDIA_TYPE, size };
}

/**
 * Decodes the stored bytes of an output of type `from` for an input of type `to`. Throws a
 * `StepError` (`invalid_input`) when the types cannot flow or the bytes do not hold a value of
 * their type.
 */
export function decodeInput(bytes: Uint8Array, from: DataType, to: DataType, port: string): StepValue {
  if (!canFlow(from, to)) {
    throw new StepError(
      RunErrorCode.invalidInput,
      `input “${port}” takes ${to}, which ${from} cannot flow into`,
    );
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (TEXT_TYPES.has(from)) return text;
  let value: StepValue;
  try {
    value = JSON.parse(text) as StepValue;
  } catch {
    throw new StepError(RunErrorCode.invalidInput, `input “${port}” holds ${from} data that is not JSON`);
  }
  if (to === DataType.text && from === DataType.json) return text;
  if (from === DataType.any && to !== DataType.any) {
    if (to === DataType.text && typeof value !== 'string') return text;
    const problem = typeProblem(value, to);
    if (problem !== undefined) {
      throw new StepError(
        RunErrorCode.invalidInput,
        `input “${port}” got ${problem}, it takes ${describeType(to)}`,
      );
    }
  }
  return value;
}

/**
 * Converts a value held in memory (as a step returned it for a port of type `from`) for an input of
 * type `to`, exactly as {@link decodeInput} would from its stored bytes.
 */
export function convertValue(value: StepValue, from: DataType, to: DataType, port: string): StepValue {
  if (!canFlow(from, to)) {
    throw new StepError(
      RunErrorCode.invalidInput,
      `input “${port}” takes ${to}, which ${from} cannot flow into`,
    );
  }
  if (to === DataType.text && typeof value !== 'string') return JSON.stringify(value);
  if (from === DataType.any && to !== DataType.any) {
    const problem = typeProblem(value, to);
    if (problem !== undefined) {
      throw new StepError(
        RunErrorCode.invalidInput,
        `input “${port}” got ${problem}, it takes ${describeType(to)}`,
      );
    }
  }
  return value;
}

/** What is wrong with `value` for `type`, worded for a message, or undefined when it fits. */
export function typeProblem(value: unknown, type: DataType): string | undefined {
  if (TEXT_TYPES.has(type)) return typeof value === 'string' ? undefined : describeValue(value);
  switch (type) {
    case DataType.textList:
      if (!Array.isArray(value)) return describeValue(value);
      return value.every((item) => typeof item === 'string')
        ? undefined
        : 'an array with an item that is not a string';
    case DataType.embedding:
      if (!Array.isArray(value)) return describeValue(value);
      return value.every((item) => typeof item === 'number' && Number.isFinite(item))
        ? undefined
        : 'an array with an item that is not a finite number';
    default:
      return isJson(value, 0)
        ? undefined
        : 'a value JSON cannot hold (undefined, a function, NaN, a cycle, a class instance)';
  }
}

function describeType(type: DataType): string {
  if (TEXT_TYPES.has(type)) return `${type} (a string)`;
  if (type === DataType.textList) return 'text-list (an array of strings)';
  if (type === DataType.embedding) return 'embedding (an array of numbers)';
  return `${type} (a JSON value)`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** JSON nests at most this deep here: deeper values are refused rather than risking the stack. */
const MAX_JSON_DEPTH = 512;

function isJson(value: unknown, depth: number): boolean {
  if (depth > MAX_JSON_DEPTH) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJson(item, depth + 1));
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((item) => isJson(item, depth + 1));
}
