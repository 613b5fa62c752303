// Reading a password without showing it: all of stdin (`--password-stdin`), or a prompt on the
// terminal with echo off.
import { CommandFailedError } from './errors.js';
import type { CliInput, CliIo } from './io.js';

/** 4 KiB: OFB takes passwords of at most 200 characters; more on stdin is not a password. */
const MAX_STDIN_BYTES = 4096;

/**
 * The whole of `input` as text, without its final line break. Throws past `maxBytes` (default
 * {@link MAX_STDIN_BYTES}) with `what` (default: one password) saying what stdin should hold.
 */
export async function readAllInput(
  input: CliInput | undefined,
  limit: { readonly maxBytes: number; readonly what: string } = {
    maxBytes: MAX_STDIN_BYTES,
    what: '--password-stdin reads one password',
  },
): Promise<string> {
  if (input === undefined) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    size += buffer.byteLength;
    if (size > limit.maxBytes)
      throw new CommandFailedError(`stdin holds more than ${limit.maxBytes} bytes; ${limit.what}`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Whether `io` can prompt: its stdin is a terminal that can switch echo off. */
export function canPrompt(io: CliIo): boolean {
  return io.stdin?.isTTY === true && typeof io.stdin.setRawMode === 'function';
}

/**
 * Asks for a line on the terminal. With `hidden`, nothing typed is echoed (raw mode; Backspace
 * edits, Ctrl-C and Ctrl-D abort with a {@link CommandFailedError}). The prompt goes to stderr.
 */
export function prompt(io: CliIo, question: string, hidden: boolean): Promise<string> {
  const input = io.stdin;
  if (input === undefined || !canPrompt(io))
    return Promise.reject(new Error('prompt: stdin is not a terminal'));
  io.stderr(question);
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      input.removeListener('data', onData);
      input.setRawMode?.(false);
      input.pause();
      io.stderr('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') return finish(new CommandFailedError('cancelled'));
        if (char === '\u007f' || char === '\b') {
          if (typed.length > 0) {
            typed = typed.slice(0, -1);
            if (!hidden) io.stderr('\b \b');
          }
          continue;
        }
        typed += char;
        if (!hidden) io.stderr(char);
      }
    };
    input.setRawMode?.(true);
    input.resume();
    input.on('data', onData);
  });
}
