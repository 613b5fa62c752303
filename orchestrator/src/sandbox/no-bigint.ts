// Expressions run without BigInt. QuickJS checks its interrupt handler only between bytecode
// instructions, so one native BigInt operation (`String(3n ** 600000n)`: seconds) runs past any time
// budget and blocks the event loop. This QuickJS build keeps BigInt whatever the context's
// intrinsics say (`BigInt: false` leaves it in), so it is taken away here: literals are refused
// before compiling, and trusted guest code removes every built-in that makes a BigInt from
// something else, and every way to compile code at run time refuses source with a literal.
import { ExpressionError, ExpressionFailure } from './ExpressionSandbox.js';

/**
 * A BigInt literal anywhere in the source (`3n`, `0x1fn`, `1_000n`). Scanned raw, strings and
 * comments included: a text such as `"2n"` in an expression is refused too (write `"2" + "n"`),
 * but no way of writing a literal slips past a tokenizer that got out of step.
 */
const BIGINT_LITERAL = /(?<![\w$])(?:0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\d[\d_]*)n(?![\w$])/;

/** Why BigInt is refused, as an expression's error says it. */
export const NO_BIGINT_MESSAGE = 'BigInt is not available in expressions';

/** Refuses `expression` when it writes a BigInt literal, with an {@link ExpressionError} (`syntax`). */
export function refuseBigIntLiterals(expression: string): void {
  const found = BIGINT_LITERAL.exec(expression);
  if (found === null) return;
  throw new ExpressionError(
    ExpressionFailure.syntax,
    `does not parse: ${NO_BIGINT_MESSAGE} (found ${JSON.stringify(found[0])}; a text like "2n" must be written "2" + "n")`,
  );
}

/**
 * Trusted guest code run before any expression: BigInt, the BigInt typed arrays and DataView's
 * BigInt accessors throw; `eval` and the constructors of functions, generators and async functions
 * (reachable as `(function () {}).constructor`) refuse source that writes a BigInt literal, the
 * same check as {@link refuseBigIntLiterals}, on the texts they are given once made strings.
 */
export const NO_BIGINT = `(() => {
  "use strict";
  const message = ${JSON.stringify(NO_BIGINT_MESSAGE)};
  const literal = new RegExp(${JSON.stringify(BIGINT_LITERAL.source)});
  const refuse = function () { throw new TypeError(message); };
  for (const name of ["BigInt", "BigInt64Array", "BigUint64Array"]) globalThis[name] = refuse;
  for (const name of ["getBigInt64", "getBigUint64", "setBigInt64", "setBigUint64"]) DataView.prototype[name] = refuse;
  const check = (text) => { if (literal.test(text)) throw new SyntaxError(message); return text; };
  const realEval = globalThis.eval;
  globalThis.eval = function (source) { return typeof source === "string" ? realEval(check(source)) : source; };
  const prototypes = [
    Function.prototype,
    Object.getPrototypeOf(function* () {}),
    Object.getPrototypeOf(async function () {}),
    Object.getPrototypeOf(async function* () {}),
  ];
  for (const p of prototypes) {
    const Real = p.constructor;
    const guarded = function (...args) { return Reflect.apply(Real, undefined, args.map((a) => check(String(a)))); };
    Object.defineProperty(p, "constructor", { value: guarded, writable: false, configurable: false });
    if (Real === Function) globalThis.Function = guarded;
  }
})()`;
