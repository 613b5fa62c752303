// Tests of decodeTextFile: Markdown and plain text pass, binary files are refused naming the file.
import { describe, expect, it } from 'vitest';
import { decodeTextFile } from './text-file.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const PNG_HEADER = [
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
];

describe('decodeTextFile', () => {
  it('decodes Markdown, with accents, emoji, tabs and CRLF', () => {
    const text = '# Plan\r\n\n\tÉté — ✓ 🎵\f\n';
    expect(decodeTextFile(utf8(text), 'plan.md')).toEqual({ ok: true, text });
  });

  it('drops a UTF-8 byte-order mark and accepts an empty file', () => {
    expect(decodeTextFile(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]), 'a.md')).toEqual({ ok: true, text: 'a' });
    expect(decodeTextFile(new Uint8Array(), 'empty.md')).toEqual({ ok: true, text: '' });
  });

  it('refuses a file with a NUL byte (a PNG), naming it', () => {
    const result = decodeTextFile(new Uint8Array(PNG_HEADER), 'photo.png');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toBe(
      '“photo.png” is not a text file (it holds binary data); import a Markdown or plain-text file.',
    );
  });

  it('refuses bytes that are not UTF-8', () => {
    const latin1 = new Uint8Array([0x43, 0x61, 0x66, 0xe9, 0x20, 0x21]); // "Café !" in Latin-1
    const result = decodeTextFile(latin1, 'notes.txt');
    expect(!result.ok && result.message).toMatch(/“notes\.txt” is not a text file \(it is not UTF-8 text\)/);
  });

  it('refuses valid UTF-8 full of control characters, but tolerates one', () => {
    const noisy = utf8(`${'ab\u0001\u0002\u001b'.repeat(50)}`);
    expect(decodeTextFile(noisy, 'dump.bin').ok).toBe(false);
    expect(decodeTextFile(utf8(`${'word '.repeat(200)}\u001b[0m`), 'log.md').ok).toBe(true);
  });
});
