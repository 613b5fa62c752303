// Plain text a person can read and the database can store: the control-character and surrogate checks.
import { z } from 'zod';

/**
 * C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F) and UTF-16 surrogates that are not
 * half of a pair. With the `u` flag a well-formed pair is one code point and never matches `\p{Cs}`.
 */
const UNSAFE_TEXT = /[\p{Cc}\p{Cs}]/u;

/**
 * Whether `text` is free of control characters and unpaired surrogates. PostgreSQL cannot store a
 * NUL in `text` (the statement fails), an unpaired surrogate is silently replaced by U+FFFD on the
 * way to UTF-8, and neither (nor a tab, a newline or an escape sequence) belongs in a name.
 */
export function isPlainText(text: string): boolean {
  return !UNSAFE_TEXT.test(text);
}

/** Refuses control characters and unpaired surrogates; `what` names the field in the message. */
export const plainText = (what: string) =>
  z
    .string()
    .refine(
      isPlainText,
      `${what} must not contain control characters (U+0000–U+001F, U+007F–U+009F) or unpaired surrogates`,
    );
