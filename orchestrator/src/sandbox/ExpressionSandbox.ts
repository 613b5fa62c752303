// The expression sandbox port: where `filter` and `map` evaluate expressions and patterns that come
// from a shared workflow, so are untrusted. The QuickJS adapter runs them in this process; the next
// issue may run the same port in another process.
import { z } from 'zod';

/** How an item's test is written: a JavaScript expression (truthy keeps) or a regular expression. */
export type Predicate = { readonly expression: string } | { readonly pattern: string };

/**
 * Evaluates untrusted expressions over a list of text items, each with `item` (the text) and `index`
 * (its position, from 0) in scope and nothing of the host. Every call starts from a fresh guest:
 * nothing one call does is seen by the next. No clock and no random source, so the same items give
 * the same results (the steps are cached). Memory, stack and time are bounded; a failure rejects
 * with an {@link ExpressionError} that says which item and what happened.
 */
export interface ExpressionSandbox {
  /** For each item, whether `predicate` holds: the expression's value is truthy, or the pattern matches. */
  test(items: readonly string[], predicate: Predicate, signal: AbortSignal): Promise<boolean[]>;
  /**
   * Each item rewritten by `expression`: its value when that is a string, else the value's JSON text.
   * A value with no JSON text (`undefined`, a function) fails the call.
   */
  map(items: readonly string[], expression: string, signal: AbortSignal): Promise<string[]>;
}

/** What went wrong in a sandboxed evaluation. */
export const ExpressionFailure = {
  /** The expression or pattern does not parse. */
  syntax: 'syntax',
  /** The expression threw. */
  threw: 'threw',
  /** It ran past its time budget (a loop, a catastrophic regular expression). */
  timeout: 'timeout',
  /** It allocated past the memory limit. */
  memory: 'memory',
  /** It recursed or nested past the stack limit. */
  stack: 'stack',
  /** `map`: its value is neither a string nor JSON, or all outputs together pass the output limit. */
  result: 'result',
  /** The caller's signal was aborted. */
  cancelled: 'cancelled',
} as const;
export type ExpressionFailure = (typeof ExpressionFailure)[keyof typeof ExpressionFailure];

/** A sandboxed evaluation that failed: `reason` says how, `item` (from 0) on which item, when one. */
export class ExpressionError extends Error {
  override name = 'ExpressionError';
  constructor(
    readonly reason: ExpressionFailure,
    message: string,
    readonly item?: number,
  ) {
    super(message);
  }
}

/** The arguments of {@link ExpressionSandbox.test} and `map`, as every adapter parses them. */
export const SandboxItems = z.array(z.string()).readonly();

/** A {@link Predicate}, parsed. */
export const SandboxPredicate = z.union([
  z.object({ expression: z.string().min(1, 'expression must not be empty') }).strict(),
  z.object({ pattern: z.string().min(1, 'pattern must not be empty') }).strict(),
]);

/** An expression for `map`, parsed. */
export const SandboxExpression = z.string().min(1, 'expression must not be empty');

/** Thrown for arguments an {@link ExpressionSandbox} refuses (a programming error, not a user's). */
export class SandboxInputError extends Error {
  override name = 'SandboxInputError';
}

/** Parses `value` with `schema`, throwing a {@link SandboxInputError} that names the argument. */
export function parseSandboxInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new SandboxInputError(`ExpressionSandbox: ${what} is invalid: ${z.prettifyError(parsed.error)}`);
}

/** An item as a message shows it: quoted, at most 40 characters. */
export function describeItem(items: readonly string[], index: number): string {
  const text = items[index] ?? '';
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return `item ${index + 1} of ${items.length} (${JSON.stringify(shown)})`;
}
