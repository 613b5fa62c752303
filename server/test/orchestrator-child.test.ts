// Tests of the orchestrator beside the team server, with real processes: OrchestratorChild restarting
// a crashing, hanging or killed child with backoff (time injected, so no test waits for a backoff),
// and the built bin starting it (the real `symphony serve`, and a stand-in that can be made to fail),
// surviving its crash, and taking it down on SIGTERM or its own death.
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { MonitorHealth } from '@symphony/schemas';
import type { Logger } from '@symphony/sync-server';
import { tempDir, waitFor } from '@symphony/sync-server/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { OrchestratorChild, OrchestratorRestart, type SupervisorClock } from '../src/orchestrator-child.js';
import { startBin, stopped } from '../src/testing.js';
import { type FakeHealth, FakeMode, fakeHealth, writeFakeOrchestrator } from './fake-orchestrator.js';

/** A clock whose timers run only when the test fires them. */
class ManualClock implements SupervisorClock {
  time = 0;
  private readonly timers = new Map<number, { run: () => void; ms: number }>();
  private nextId = 1;

  now(): number {
    return this.time;
  }

  setTimeout(run: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { run, ms });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** The delays of the timers that are set, in the order they were set. */
  pending(): number[] {
    return [...this.timers.values()].map((timer) => timer.ms);
  }

  /** Runs the one timer set for `ms`. */
  fire(ms: number): void {
    const entry = [...this.timers.entries()].find(([, timer]) => timer.ms === ms);
    if (entry === undefined) throw new Error(`no timer for ${ms} ms; pending: ${this.pending().join(', ')}`);
    this.timers.delete(entry[0]);
    entry[1].run();
  }
}

type LogEntry = { level: string; msg: string } & Record<string, unknown>;

function recordingLogger(entries: LogEntry[]): Logger {
  const record = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    entries.push({ level, msg, ...fields });
  return { info: record('info'), warn: record('warn'), error: record('error') };
}

/** Polls `check` until it holds (10 s at most): for conditions only a request can tell. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeBin(): Promise<{ bin: string; dir: string }> {
  const dir = await tempDir('symphony-orchestrator-child-');
  cleanups.push(dir.cleanup);
  return { bin: await writeFakeOrchestrator(dir.dir), dir: dir.dir };
}

/** An OrchestratorChild of the fake in `mode`, on a manual clock, recording what it logs and prints. */
async function supervised(mode: FakeMode) {
  const { bin, dir } = await fakeBin();
  const clock = new ManualClock();
  const log: LogEntry[] = [];
  const ready: string[] = [];
  const output: string[] = [];
  const child = new OrchestratorChild({
    bin,
    settings: { serverUrl: 'http://127.0.0.1:4321', port: 0, dataDir: dir },
    env: { ...process.env, FAKE_ORCHESTRATOR: mode },
    log: recordingLogger(log),
    onReady: (url) => ready.push(url),
    output: (line) => output.push(line),
    clock,
  });
  cleanups.push(() => child.stop());
  const exits = () => log.filter((entry) => entry.msg.startsWith('the orchestrator exited'));
  return { child, clock, log, ready, output, exits, dir };
}

describe('OrchestratorChild', () => {
  it('restarts a child that keeps crashing after 1 s, doubling to 30 s, and from 1 s again after it stayed up a minute', async () => {
    const { child, clock, exits } = await supervised(FakeMode.crash);
    child.start();
    expect(clock.pending()).toEqual([OrchestratorRestart.readyTimeoutMs]);
    const delays = [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000];
    for (const [i, delay] of delays.entries()) {
      await waitFor(() => exits().length === i + 1, `crash ${i + 1}`);
      expect(exits()[i]).toMatchObject({ code: 3, restartInMs: delay });
      expect(exits()[i]?.lastOutput).toContain('cannot start (on purpose)');
      expect(clock.pending()).toEqual([delay]);
      clock.fire(delay);
    }
    clock.time += OrchestratorRestart.stableAfterMs;
    await waitFor(() => exits().length === delays.length + 1, 'the crash of a child that ran a minute');
    expect(exits().at(-1)).toMatchObject({ restartInMs: OrchestratorRestart.firstDelayMs });

    await child.stop();
    expect(clock.pending()).toEqual([]);
  });

  it('kills a child that never says it is ready, and starts another', async () => {
    const { child, clock, log, exits } = await supervised(FakeMode.hang);
    child.start();
    const pid = child.pid;
    expect(pid).toBeTypeOf('number');
    clock.fire(OrchestratorRestart.readyTimeoutMs);
    await waitFor(() => exits().length === 1, 'the hung child to be killed');
    expect(log.find((entry) => entry.msg.includes('did not say it was ready'))).toMatchObject({ pid });
    expect(exits()[0]).toMatchObject({ signal: 'SIGKILL', restartInMs: 1000 });
    clock.fire(1000);
    expect(child.pid).toBeTypeOf('number');
    expect(child.pid).not.toBe(pid);
  });

  it('serves with the settings it was given, comes back on the same port after SIGKILL, and stops on SIGTERM', async () => {
    const { child, clock, ready, output, exits, dir } = await supervised(FakeMode.serve);
    child.start();
    await waitFor(() => ready.length === 1, 'the ready line');
    const url = ready[0]!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(child.url).toBe(url);
    const first = (await fakeHealth(url)) as FakeHealth;
    expect(first.pid).toBe(child.pid);
    expect(first.args).toEqual([
      'serve',
      '--port',
      '0',
      '--server',
      'http://127.0.0.1:4321',
      '--allow-origin',
      'http://127.0.0.1:4321',
      '--allow-origin',
      'http://localhost:4321',
      '--data-dir',
      resolve(dir),
    ]);
    expect(output).toContain('fake orchestrator: listening');

    process.kill(first.pid, 'SIGKILL');
    await waitFor(() => exits().length === 1, 'the killed child to be noticed');
    expect(exits()[0]).toMatchObject({ pid: first.pid, signal: 'SIGKILL', restartInMs: 1000 });
    expect(child.url).toBeUndefined();
    clock.fire(1000);
    await waitFor(() => ready.length === 2, 'the restarted child to be ready');
    expect(ready[1]).toBe(url);
    const second = (await fakeHealth(url)) as FakeHealth;
    expect(second.pid).not.toBe(first.pid);
    expect(second.args).toContain(new URL(url).port);

    await child.stop();
    expect(output).toContain('fake orchestrator: SIGTERM');
    expect(await fakeHealth(url)).toBeInstanceOf(Error);
    expect(clock.pending()).toEqual([]);
  });

  it('kills a child that ignores SIGTERM once the grace period is over', async () => {
    const { child, clock, ready, output } = await supervised(FakeMode.stubborn);
    child.start();
    await waitFor(() => ready.length === 1, 'the ready line');
    let stopped = false;
    const stopping = child.stop().then(() => {
      stopped = true;
    });
    await waitFor(() => output.includes('fake orchestrator: SIGTERM'), 'SIGTERM to reach it');
    expect(stopped).toBe(false);
    clock.fire(OrchestratorRestart.stopGraceMs);
    await stopping;
    expect(await fakeHealth(ready[0]!)).toBeInstanceOf(Error);
  });
});

/** The bin's stdout from now on, line by line. */
function stdoutLines(child: ChildProcess): string[] {
  const lines: string[] = [];
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
  });
  return lines;
}

const ORCHESTRATOR_LINE = /^Orchestrator is running at (http:\/\/\S+)$/;

/** The bin with the fake orchestrator on a free port, and what it prints. */
async function binWithFake() {
  const cwd = await tempDir('symphony-bin-orchestrator-');
  cleanups.push(cwd.cleanup);
  const bin = await startBin(cwd.dir, ['--orchestrator', '--orchestrator-port', '0'], {
    SYMPHONY_ORCHESTRATOR_BIN: await writeFakeOrchestrator(cwd.dir),
    FAKE_ORCHESTRATOR: FakeMode.serve,
  });
  cleanups.push(async () => {
    bin.child.kill('SIGKILL');
    await stopped(bin.child);
  });
  const lines = stdoutLines(bin.child);
  const orchestratorUrls = () => lines.flatMap((line) => ORCHESTRATOR_LINE.exec(line)?.[1] ?? []);
  await waitFor(() => orchestratorUrls().length === 1, 'the orchestrator line', 10_000);
  return { bin, cwd: cwd.dir, orchestratorUrls, url: orchestratorUrls()[0]! };
}

describe('the bin with its orchestrator', () => {
  it('runs the real `symphony serve` for itself: its health names this server, and SIGTERM stops both', async () => {
    const cwd = await tempDir('symphony-bin-orchestrator-');
    cleanups.push(cwd.cleanup);
    const bin = await startBin(cwd.dir, ['--orchestrator', '--orchestrator-port', '0']);
    cleanups.push(async () => {
      bin.child.kill('SIGKILL');
      await stopped(bin.child);
    });
    const lines = stdoutLines(bin.child);
    const urls = () => lines.flatMap((line) => ORCHESTRATOR_LINE.exec(line)?.[1] ?? []);
    await waitFor(() => urls().length === 1, 'the orchestrator line', 20_000);
    const url = urls()[0]!;
    const response = await fetch(new URL('v1/health', url));
    expect(response.status).toBe(200);
    expect(MonitorHealth.parse(await response.json())).toMatchObject({
      service: 'symphony-orchestrator',
      server: bin.origin,
    });

    bin.child.kill('SIGTERM');
    expect(await stopped(bin.child)).toBe(0);
    expect(await fakeHealth(url)).toBeInstanceOf(Error);
  });

  it('starts it for its own URL and data dir, restarts it after SIGKILL, and stops it first on SIGTERM', async () => {
    const { bin, cwd, orchestratorUrls, url } = await binWithFake();
    const health = (await fakeHealth(url)) as FakeHealth;
    expect(health.server).toBe(bin.origin);
    expect(health.args).toEqual(
      expect.arrayContaining(['--allow-origin', bin.origin, '--data-dir', resolve(cwd, '.symphony')]),
    );
    expect(health.args).toContain(bin.origin.replace('127.0.0.1', 'localhost'));

    process.kill(health.pid, 'SIGKILL');
    await waitFor(() => orchestratorUrls().length === 2, 'the orchestrator to be restarted', 10_000);
    expect(orchestratorUrls()[1]).toBe(url);
    expect(((await fakeHealth(url)) as FakeHealth).pid).not.toBe(health.pid);
    expect(bin.output.join('')).toMatch(/the orchestrator exited; restarting it.*"signal":"SIGKILL"/);
    expect((await fetch(`${bin.origin}/healthz`)).status).toBe(200);

    bin.child.kill('SIGTERM');
    expect(await stopped(bin.child)).toBe(0);
    expect(bin.output.join('')).toContain('[orchestrator] fake orchestrator: SIGTERM');
    expect(await fakeHealth(url)).toBeInstanceOf(Error);
  });

  it('keeps serving while the orchestrator cannot start, saying why', async () => {
    const { bin } = await startBinCrashing();
    await waitFor(
      () => bin.output.join('').includes('cannot start (on purpose)'),
      'the crash to be logged with its output',
      10_000,
    );
    expect((await fetch(`${bin.origin}/healthz`)).status).toBe(200);
    bin.child.kill('SIGTERM');
    expect(await stopped(bin.child)).toBe(0);
  });

  it('does not leave the orchestrator behind when the server is SIGKILLed', async () => {
    const { bin, url } = await binWithFake();
    bin.child.kill('SIGKILL');
    await stopped(bin.child);
    await eventually(async () => (await fakeHealth(url)) instanceof Error, 'the orchestrator to stop');
  });

  it('warns and serves without it when the orchestrator is not built', async () => {
    const cwd = await tempDir('symphony-bin-orchestrator-');
    cleanups.push(cwd.cleanup);
    const missing = resolve(cwd.dir, 'no-such-cli.js');
    const bin = await startBin(cwd.dir, ['--orchestrator'], { SYMPHONY_ORCHESTRATOR_BIN: missing });
    cleanups.push(async () => {
      bin.child.kill('SIGKILL');
      await stopped(bin.child);
    });
    await waitFor(() => bin.output.join('').includes('the orchestrator is not built'), 'the warning');
    expect(bin.output.join('')).toContain(missing);
    expect((await fetch(`${bin.origin}/healthz`)).status).toBe(200);
    bin.child.kill('SIGTERM');
    expect(await stopped(bin.child)).toBe(0);
  });
});

/** The bin with a fake that crashes at every start (no ready line to wait for). */
async function startBinCrashing() {
  const cwd = await tempDir('symphony-bin-orchestrator-');
  cleanups.push(cwd.cleanup);
  const bin = await startBin(cwd.dir, ['--orchestrator', '--orchestrator-port', '0'], {
    SYMPHONY_ORCHESTRATOR_BIN: await writeFakeOrchestrator(cwd.dir),
    FAKE_ORCHESTRATOR: FakeMode.crash,
  });
  cleanups.push(async () => {
    bin.child.kill('SIGKILL');
    await stopped(bin.child);
  });
  return { bin };
}
