// What every built-in step does first: read its params with the node library's typed schema, and
// its inputs in the shape their ports promise, failing with `invalid_input` and a message that
// names the node type and the port.
import { NodeParams, type NodeParamsOf, type NodeParamsType, RunErrorCode } from '@symphony/schemas';
import { z } from 'zod';
import { type StepContext, StepError, type StepValue } from './Step.js';

/**
 * 2 nodes at once for steps that run a QuickJS guest (up to 64 MiB each): guests run on this
 * thread, so more at once would take memory and gain no speed.
 */
export const SANDBOXED_CONCURRENCY = 2;

/** The node's params, parsed by its type's schema in the node library (defaults filled in). */
export function stepParams<T extends NodeParamsType>(type: T, context: StepContext): NodeParamsOf<T> {
  const parsed = NodeParams[type].safeParse(context.params);
  if (parsed.success) return parsed.data as NodeParamsOf<T>;
  throw new StepError(
    RunErrorCode.invalidInput,
    `${type}: its params do not match the node type: ${z.prettifyError(parsed.error)}`,
  );
}

/** `value` as text: itself when a string, else its JSON text (a `json` output read by a text input). */
export function asText(value: StepValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** The one value on input `port`, as text; fails when nothing is connected. */
export function textInput(type: string, context: StepContext, port: string): string {
  const values = context.inputs[port] ?? [];
  const first = values[0];
  if (first === undefined) {
    throw new StepError(RunErrorCode.invalidInput, `${type}: nothing is connected to its "${port}" input`);
  }
  return asText(first);
}

/** Every value on input `port` (a `multiple` port), in edge order, as text. */
export function textsInput(context: StepContext, port: string): string[] {
  return (context.inputs[port] ?? []).map(asText);
}

/** The list of texts on input `port`; fails when nothing is connected or it is not a list of strings. */
export function textListInput(type: string, context: StepContext, port: string): string[] {
  const value = (context.inputs[port] ?? [])[0];
  if (value === undefined) {
    throw new StepError(RunErrorCode.invalidInput, `${type}: nothing is connected to its "${port}" input`);
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new StepError(
      RunErrorCode.invalidInput,
      `${type}: its "${port}" input must be a list of texts (a text-list), got ${describe(value)}`,
    );
  }
  return value as string[];
}

function describe(value: StepValue): string {
  if (Array.isArray(value)) return 'a list with items that are not texts';
  return value === null ? 'null' : typeof value;
}

/** Rejects with a `cancelled` StepError when `signal` is aborted. */
export function throwIfAborted(type: string, signal: AbortSignal): void {
  if (signal.aborted) throw new StepError(RunErrorCode.cancelled, `${type}: cancelled`);
}
