// `symphony serve` as its tests and benchmarks run it: the built CLI as a real process for a team
// server, in an environment that reaches nothing of the machine's own user, and a WebSocket client
// of the monitor's live stream.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MONITOR_LIVE_PATH, type MonitorServerMessage } from '@symphony/schemas';
import WebSocket from 'ws';

/** The built CLI (`npx tsc -b` first); the same path from src/ and dist/. */
export const SYMPHONY_CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/**
 * The environment of a CLI process: this one's, without anything that would reach a real user's
 * session, data or database, with its session and config kept in `configDir`.
 */
export function cliEnv(configDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('SYMPHONY_')) delete env[key];
  delete env.DATABASE_URL;
  delete env.SUPABASE_JWT_SECRET;
  delete env.XDG_CONFIG_HOME;
  return { ...env, SYMPHONY_CONFIG_DIR: configDir, ...extra };
}

/** A running `symphony serve`. */
export interface Serve {
  readonly child: ChildProcessWithoutNullStreams;
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** What it wrote to stderr so far. */
  readonly stderr: string[];
  /** Sends `signal` (SIGTERM by default) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Where and how {@link startServe} runs it. */
export interface ServeOptions {
  /** Its journal and artifacts (`--data-dir`); also its working folder. */
  readonly dataDir: string;
  /** Its config folder (`SYMPHONY_CONFIG_DIR`: session, instruments, credentials). */
  readonly configDir: string;
  /** Over {@link cliEnv}'s. */
  readonly env?: Record<string, string>;
  /** More arguments (`--allow-origin …`). */
  readonly args?: readonly string[];
  /** Default 0: a free one. */
  readonly port?: number;
}

/** Starts `symphony serve --port <port> --server <teamOrigin> --data-dir <dataDir>` and waits for its ready line. */
export async function startServe(teamOrigin: string, options: ServeOptions): Promise<Serve> {
  const { dataDir } = options;
  const env = { ...cliEnv(options.configDir), ...options.env };
  const child = spawn(
    process.execPath,
    [
      SYMPHONY_CLI,
      'serve',
      '--port',
      String(options.port ?? 0),
      '--server',
      teamOrigin,
      '--data-dir',
      dataDir,
      ...(options.args ?? []),
    ],
    { cwd: dataDir, env },
  );
  child.stdin.end();
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^Symphony orchestrator is running at (http:\/\/\S+?)\/$/m.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr.join('')}`)));
  });
  return {
    child,
    url,
    port: Number(new URL(url).port),
    dataDir,
    stderr,
    stop: (signal = 'SIGTERM') => {
      const exited = exitOf(child);
      child.kill(signal);
      return exited;
    },
  };
}

/** Resolves with the exit code once `child` has exited (null if a signal ended it). */
function exitOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/**
 * A client of the monitor's live stream: every message it got (as sent: not parsed, so a test sees
 * exactly what the orchestrator wrote), and waiting for the next that matches.
 */
export class LiveClient {
  readonly messages: MonitorServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Set when the upgrade was refused: the HTTP status. */
  refusedWith: number | undefined;
  readonly #waiters: {
    match: (m: MonitorServerMessage) => boolean;
    resolve: (m: MonitorServerMessage) => void;
  }[] = [];
  #cursor = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as MonitorServerMessage;
      this.messages.push(message);
      for (const waiter of [...this.#waiters]) {
        if (waiter.match(message)) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
    });
    socket.on('unexpected-response', (_req, res) => {
      this.refusedWith = res.statusCode;
      socket.terminate();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  /** Opens a socket to `serve`'s live stream (with extra headers: Origin, Host). */
  static open(serve: Pick<Serve, 'url'>, headers: Record<string, string> = {}): LiveClient {
    return new LiveClient(
      new WebSocket(`${serve.url.replace('http', 'ws')}${MONITOR_LIVE_PATH}`, { headers }),
    );
  }

  /** Resolves once the socket is open. */
  opened(): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('close', () => reject(new Error('the socket closed before it opened')));
    });
  }

  /** Sends `message` (JSON-encoded unless a string). */
  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message (after those `next` already returned) that `match` accepts. */
  next<T extends MonitorServerMessage>(match: (m: MonitorServerMessage) => m is T): Promise<T>;
  next(match: (m: MonitorServerMessage) => boolean): Promise<MonitorServerMessage>;
  next(match: (m: MonitorServerMessage) => boolean): Promise<MonitorServerMessage> {
    for (; this.#cursor < this.messages.length; this.#cursor++) {
      const message = this.messages[this.#cursor]!;
      if (match(message)) {
        this.#cursor++;
        return Promise.resolve(message);
      }
    }
    return new Promise((resolve) => {
      this.#waiters.push({
        match,
        resolve: (message) => {
          this.#cursor = this.messages.length;
          resolve(message);
        },
      });
    });
  }

  close(): void {
    this.socket.close();
  }
}
