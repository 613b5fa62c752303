// The request hash an idempotency key is bound to: a function's parsed request as canonical JSON, hashed.
import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so two requests that differ only in key order have
 * the same text (and the same {@link requestHash}).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * sha256 (hex) of a function's parsed request: what an idempotency key is bound to, so the same key
 * sent with another request is recognised as reused rather than answered with the first's result.
 */
export function requestHash(functionName: string, request: unknown): string {
  return createHash('sha256')
    .update(`${functionName}\n${canonicalJson(request)}`)
    .digest('hex');
}
