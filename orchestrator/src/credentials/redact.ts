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
