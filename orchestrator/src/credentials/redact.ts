// Keeping secrets out of messages: every text that may quote a provider's answer (an error body, a
// log line) passes through here before it is shown, journaled or returned.

/** What a redacted secret is replaced with. */
export const REDACTED = '[redacted]';

/** 8 characters: shorter "secrets" would redact ordinary words; no real key is that short. */
const MIN_SECRET_LENGTH = 8;

/** `text` with every occurrence of each of `secrets` (at least 8 characters) replaced by {@link REDACTED}. */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    result = result.split(secret).join(REDACTED);
  }
  return result;
}

/**
 * `value` (JSON: an extension's outputs) with every string redacted by {@link redactSecrets};
 * `value` itself when no string holds a secret, so the common case copies nothing.
 */
export function redactSecretsDeep<T>(value: T, secrets: ReadonlySet<string>): T {
  if (secrets.size === 0) return value;
  const text = JSON.stringify(value);
  if (text === undefined || ![...secrets].some((s) => s.length >= MIN_SECRET_LENGTH && text.includes(s)))
    return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactSecrets(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/**
 * Key-shaped strings redacted without knowing the key: `sk-…` (OpenAI, Anthropic), `Bearer …`, and
 * `x-api-key: …`. For code that never sees the key (an instrument in its sandbox) but formats what a
 * provider said, which may echo it.
 */
const KEY_SHAPES: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_*.-]{6,}/g,
  /\b(Bearer\s+)[A-Za-z0-9_~+/.=*-]{8,}/gi,
  /\b(x-api-key["']?\s*[:=]\s*["']?)[A-Za-z0-9_~+/.=*-]{8,}/gi,
];

/** `text` with key-shaped strings (see above) replaced by {@link REDACTED}. */
export function redactKeyShapes(text: string): string {
  let result = text;
  for (const shape of KEY_SHAPES) {
    result = result.replace(shape, (_match, prefix: unknown) =>
      typeof prefix === 'string' ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return result;
}
