// Where the CLI reads and writes. A test passes its own `CliIo` to capture output; the bin passes
// the process's. Everything beyond the four required fields has a default taken from the process.
import { once } from 'node:events';

/** A terminal input, as `process.stdin` is one (raw mode for a hidden password prompt). */
export interface CliInput extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** Where the CLI writes; a test passes its own to capture output. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal: progress bars are drawn only then. */
  readonly stderrIsTty: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal (default: `process.stdout.isTTY`, or false when `stdout` was given). */
  readonly stdoutIsTty?: boolean;
  /** Where `--password-stdin` and a password prompt read (default `process.stdin`). */
  readonly stdin?: CliInput;
  /** Where bytes go (`artifacts get`), honouring back-pressure (default `process.stdout`). */
  readonly stdoutStream?: NodeJS.WritableStream;
  /** The terminal stream progress bars draw on when `stderrIsTty` (default `process.stderr`). */
  readonly stderrStream?: NodeJS.WritableStream;
  /** The folder relative paths are taken from (default `process.cwd()`). */
  readonly cwd?: string;
  /** Calls `handler` on every Ctrl-C (SIGINT) until the returned function is called. */
  readonly onInterrupt?: (handler: () => void) => () => void;
}

/** The process's own streams, environment and signals. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY === true,
  stdoutIsTty: process.stdout.isTTY === true,
  env: process.env,
  stdin: process.stdin,
  stdoutStream: process.stdout,
  stderrStream: process.stderr,
  onInterrupt: (handler) => {
    process.on('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
};

/** The folder relative paths are taken from. */
export function cwdOf(io: CliIo): string {
  return io.cwd ?? process.cwd();
}

/** Writes `bytes` to stdout, waiting for the stream to drain when it asks to. */
export async function writeStdoutBytes(io: CliIo, bytes: Uint8Array): Promise<void> {
  const stream = io.stdoutStream;
  if (stream === undefined) {
    io.stdout(Buffer.from(bytes).toString('utf8'));
    return;
  }
  if (!stream.write(bytes)) await once(stream, 'drain');
}

/** Calls `handler` on Ctrl-C through `io`; a no-op when `io` has no signals. */
export function onInterrupt(io: CliIo, handler: () => void): () => void {
  return io.onInterrupt?.(handler) ?? (() => {});
}
