// Whether the bytes of a file a person imports are text: refuses binary files (NUL bytes, invalid
// UTF-8, many control characters) with a message naming the file, before a document is made.

/** What {@link decodeTextFile} answers: the file's text, or why it is not text, in words for the UI. */
export type TextFileResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly message: string };

/**
 * More than this share of control characters (other than tab, line feed, carriage return and form
 * feed) means the file is not text, even when it decodes as UTF-8.
 */
export const MAX_CONTROL_SHARE = 0.01;

/**
 * Decodes `bytes` (the file named `fileName`) as UTF-8 text, refusing a file that is not text: one
 * holding a NUL byte (what every binary format has and no text file does), one that is not valid
 * UTF-8, or one with more than {@link MAX_CONTROL_SHARE} control characters. A UTF-8 byte-order mark
 * is dropped. An empty file is text (an empty document).
 */
export function decodeTextFile(bytes: Uint8Array, fileName: string): TextFileResult {
  const refuse = (why: string): TextFileResult => ({
    ok: false,
    message: `“${fileName}” is not a text file (${why}); import a Markdown or plain-text file.`,
  });
  if (bytes.includes(0)) return refuse('it holds binary data');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return refuse('it is not UTF-8 text');
  }
  if (controlCharacters(text) > Math.max(1, text.length * MAX_CONTROL_SHARE))
    return refuse('it holds control characters');
  return { ok: true, text };
}

/** How many C0 and C1 control characters (and DEL) `text` holds, tab, LF, CR and FF excepted. */
function controlCharacters(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || (c >= 0x7f && c <= 0x9f)) n++;
  }
  return n;
}
