// A real server of the browser tests as a child process: started until it prints its URL, killed
// with any signal, stopped gracefully, restarted on the same port. SyncServer and Orchestrator are two.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { repoRoot } from './paths.js';

/** 5 s for a graceful SIGTERM shutdown before the process is killed. */
const STOP_TIMEOUT_MS = 5_000;

/** How to run one: what it is called in failures, when it is ready, and its command line. */
export interface ServiceCommand {
  /** In errors: "`name` did not print its URL…". */
  readonly name: string;
  /** The line it prints once it listens; group 1 is its URL. */
  readonly readyLine: RegExp;
  /** More than this without the ready line means broken, not slow. */
  readonly startTimeoutMs: number;
  /** `node <args>` for a process on `port` (0 the first time: a free one). */
  args(port: number): string[];
  readonly env?: NodeJS.ProcessEnv;
}

/** One child process serving on 127.0.0.1, and what it printed. */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private port = 0;
  private baseUrl: string | null = null;
  private readonly output: string[] = [];

  constructor(private readonly command: ServiceCommand) {}

  /** `http://127.0.0.1:<port>/`, as it printed it. */
  get url(): string {
    if (this.baseUrl === null) throw new Error(`${this.command.name}.url: it has never started`);
    return this.baseUrl;
  }

  /** Whether the process is running. */
  get running(): boolean {
    return this.child !== null;
  }

  /** What it printed, for failure reports. */
  get log(): string {
    return this.output.join('\n');
  }

  /** Sends `signal` (default SIGKILL: a crash, nothing flushed) and waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child === null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill(signal);
    await exited;
    this.child = null;
  }

  /** Stops it gracefully (SIGTERM), killing it if it does not exit in time. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.kill('SIGTERM');
    clearTimeout(timer);
  }

  /** Starts it again (stopping it first if it runs) on the same port: its data stays. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Starts it (again: on the same port) and resolves once it printed its URL. */
  launch(): Promise<void> {
    const { name, readyLine, startTimeoutMs } = this.command;
    const child = spawn(process.execPath, this.command.args(this.port), {
      cwd: repoRoot,
      env: this.command.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const fail = (why: string): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        this.child = null;
        reject(new Error(`${name} ${why}\n--- output ---\n${this.log}`));
      };
      const timer = setTimeout(
        () => fail(`did not print its URL within ${startTimeoutMs} ms`),
        startTimeoutMs,
      );
      child.once('error', (error) => fail(`could not be spawned: ${error.message}`));
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = null;
        if (!ready) fail(`exited before it was ready (code ${code}, signal ${signal})`);
      });
      createInterface({ input: child.stderr! }).on('line', (line) => this.output.push(line));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        this.output.push(line);
        const match = readyLine.exec(line);
        if (match?.[1] === undefined || ready) return;
        const url = new URL(match[1]);
        this.port = Number(url.port);
        this.baseUrl = url.href;
        ready = true;
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
