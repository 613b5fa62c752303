// The UTF-8 length of a text, exact only where a size limit needs it.
const encoder = new TextEncoder();

/**
 * The UTF-8 length of `text` as far as a check against `limit` needs it: exact when it could be
 * either side of the limit, else the number of code units (each is 1–3 bytes, so a text of more
 * units than `limit` is over it, and one of under a third of it is under).
 */
export function utf8Length(text: string, limit: number): number {
  if (text.length * 3 <= limit || text.length > limit) return text.length;
  return encoder.encode(text).byteLength;
}
