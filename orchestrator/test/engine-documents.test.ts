// Tests of EngineDocuments: a run's documents through a real editor engine (in a worker of this
// process, and as a child process) joined to a real sync-server: writes land once and durably,
// refusals say what to do, crashes and aborts are contained, and an orchestrator killed with
// SIGKILL leaves no engine behind to write after it.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BroadcastChannel } from 'node:worker_threads';
import { TEXT_NAME } from '@symphony/editor-engine';
import { type DocumentId, EFFECT_MARKERS_NAME, RunErrorCode } from '@symphony/schemas';
import type { SyncServer } from '@symphony/sync-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { EngineDocuments } from '../src/documents/EngineDocuments.js';
import type { EngineMode, StartedEngine } from '../src/documents/engine-connection.js';
import { startEngineWorker } from '../src/documents/engine-worker.js';
import { startEngine } from '../src/documents/start-engine.js';
import { OrchestratorInputError } from '../src/executor/errors.js';
import { teamServerEndpoints } from '../src/sources/team-server.js';
import { StepError } from '../src/steps/Step.js';
import { type GatedPersistence, startTeamServer, type TableAccess, Tokens, until } from './team-server.js';

/** The engine's worker entry plus a test-only way to crash it (see the fixture). */
const CRASHABLE_WORKER = new URL('./fixtures/crashable-engine-worker.mjs', import.meta.url);
/** A stand-in orchestrator process that starts an engine and can be SIGKILLed mid-write. */
const ORCHESTRATOR = fileURLToPath(new URL('./fixtures/engine-orchestrator.mjs', import.meta.url));
const MODES: readonly EngineMode[] = ['worker', 'process'];

let server: SyncServer;
let access: TableAccess;
let persistence: GatedPersistence;
const cleanups: (() => unknown)[] = [];
let documents = 0;

beforeEach(async () => {
  ({ server, access, persistence } = await startTeamServer());
});
afterEach(async () => {
  persistence.release();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await server.close();
});

/** A fresh document the editor token may edit and the viewer token view. */
function newDocument(): DocumentId {
  const id = `doc-${++documents}` as DocumentId;
  access.share(id);
  return id;
}

/** Starts an engine on the test server; a `crashable` worker can be crashed with {@link crash}. */
function start(mode: EngineMode, crashable = false): Promise<StartedEngine> {
  const syncUrl = teamServerEndpoints(server.url).yjs;
  return crashable && mode === 'worker'
    ? startEngineWorker({ syncUrl, startTimeoutMs: 15_000, memoryLimitMb: 1024, entry: CRASHABLE_WORKER })
    : startEngine({ syncUrl, mode });
}

/** Tells every crashable worker engine to fail: `{ throw: message }` or `{ exit: code }`. */
function tellCrashable(message: { throw: string } | { exit: number }): void {
  const channel = new BroadcastChannel('symphony-test-engine-crash');
  channel.postMessage(message);
  channel.close();
}

/**
 * Makes an engine die as a real one can: SIGKILL for a child process, an uncaught error for a
 * (crashable) worker. Returns what its `closed` reason then says.
 */
function crash(engine: StartedEngine): string {
  if (engine.mode === 'worker') {
    tellCrashable({ throw: 'engine bug' });
    return 'crashed: engine bug';
  }
  const pid = engine.pid;
  if (pid === undefined) throw new Error('the engine has no process id');
  process.kill(pid, 'SIGKILL');
  return 'killed by SIGKILL';
}

/** EngineDocuments on the test server with `token`, recording the engines it starts. */
function documentsAs(
  token: string | undefined,
  options: { mode?: EngineMode; crashable?: boolean; flushTimeoutMs?: number } = {},
) {
  const { mode = 'worker', crashable = false, ...rest } = options;
  const engines: StartedEngine[] = [];
  const docs = new EngineDocuments({
    connect: async () => {
      const engine = await start(mode, crashable);
      engines.push(engine);
      return engine;
    },
    ...(token === undefined ? {} : { token }),
    ...rest,
  });
  cleanups.push(() => docs.close());
  return { docs, engines };
}

/** What the server has stored for a document. */
async function stored(documentId: DocumentId): Promise<{ text: string; markers: string[] }> {
  const doc = new Y.Doc();
  for (const update of await persistence.load(documentId)) Y.applyUpdate(doc, update);
  return { text: doc.getText(TEXT_NAME).toString(), markers: [...doc.getMap(EFFECT_MARKERS_NAME).keys()] };
}

async function rejection(promise: Promise<unknown>): Promise<StepError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StepError);
  return error as StepError;
}

const live = () => new AbortController().signal;

describe.each(MODES)('EngineDocuments over a real engine (%s) and sync-server', (mode) => {
  const as = (token: string | undefined, options: { crashable?: boolean; flushTimeoutMs?: number } = {}) =>
    documentsAs(token, { mode, ...options });

  it('appends once per marker, durably, and reads the text back', async () => {
    const id = newDocument();
    const { docs, engines } = as(Tokens.editor);
    const first = { text: 'first\n', mode: 'append' as const, marker: 'run_aaaaaaaa/n1' };
    expect(await docs.write(id, first, live())).toEqual({ applied: true });
    // Resolved means stored: no waiting needed before looking at the server's storage.
    expect(await stored(id)).toEqual({ text: 'first\n', markers: ['run_aaaaaaaa/n1'] });
    expect(await docs.write(id, first, live())).toEqual({ applied: false });
    await docs.write(id, { text: 'second', mode: 'append', marker: 'run_aaaaaaaa/n2' }, live());
    // Appended text starts its own paragraph: a blank line after the document's last line.
    expect(await docs.read(id, live())).toBe('first\n\nsecond');
    expect((await stored(id)).text).toBe('first\n\nsecond');
    expect(engines).toHaveLength(1);
    expect(engines[0]?.mode).toBe(mode);
  });

  it('replaces the whole text once per marker', async () => {
    const id = newDocument();
    const { docs } = as(Tokens.editor);
    await docs.write(id, { text: 'old text', mode: 'append', marker: 'm/1' }, live());
    const replace = { text: 'new', mode: 'replace' as const, marker: 'm/2' };
    expect(await docs.write(id, replace, live())).toEqual({ applied: true });
    expect(await docs.write(id, replace, live())).toEqual({ applied: false });
    expect(await stored(id)).toEqual({ text: 'new', markers: ['m/1', 'm/2'] });
  });

  it('fails a write cut short by an engine crash as retryable, and the retry writes nothing twice', {
    timeout: 60_000,
  }, async () => {
    const id = newDocument();
    const { docs, engines } = as(Tokens.editor, { crashable: true });
    await docs.read(id, live());
    persistence.hold();
    const edit = { text: 'exactly once\n', mode: 'append' as const, marker: 'run_bbbbbbbb/n1' };
    const cut = rejection(docs.write(id, edit, live()));
    // The server has the edit (its append is held) when the engine dies.
    await until(() => persistence.waiting > 0, 'the server to receive the edit');
    const engine = engines[0];
    if (!engine) throw new Error('no engine was started');
    const reason = crash(engine);
    const error = await cut;
    expect(error).toMatchObject({ code: RunErrorCode.documentFailed, retryable: true });
    expect(error.message).toContain(reason);
    persistence.release();
    // The next attempt starts a new engine, which finds the marker the first one sent.
    expect(await docs.write(id, edit, live())).toEqual({ applied: false });
    expect(engines).toHaveLength(2);
    expect(await stored(id)).toEqual({ text: 'exactly once\n', markers: ['run_bbbbbbbb/n1'] });
  });

  it('fails a write whose flush times out as retryable; the retry finds the marker', async () => {
    const id = newDocument();
    const { docs } = as(Tokens.editor, { flushTimeoutMs: 300 });
    await docs.read(id, live());
    persistence.hold();
    const edit = { text: 'slow', mode: 'append' as const, marker: 'run_cccccccc/n1' };
    const error = await rejection(docs.write(id, edit, live()));
    expect(error).toMatchObject({ code: RunErrorCode.documentFailed, retryable: true });
    persistence.release();
    expect(await docs.write(id, edit, live())).toEqual({ applied: false });
    expect((await stored(id)).text).toBe('slow');
  });

  it('refuses with what to do: a bad token, a stranger, a missing document, a viewer', async () => {
    const id = newDocument();
    const bad = await rejection(as('not-a-token').docs.read(id, live()));
    expect(bad).toMatchObject({ code: RunErrorCode.documentFailed, retryable: false });
    expect(bad.message).toContain('symphony login');
    const stranger = await rejection(as(Tokens.stranger).docs.read(id, live()));
    expect(stranger.retryable).toBe(false);
    expect(stranger.message).toContain('not a member');
    const missing = await rejection(as(Tokens.editor).docs.read('no-such-doc' as DocumentId, live()));
    expect(missing.retryable).toBe(false);
    expect(missing.message).toContain('has no document no-such-doc');

    const { docs: asViewer } = as(Tokens.viewer);
    expect(await asViewer.read(id, live())).toBe('');
    const readOnly = await rejection(
      asViewer.write(id, { text: 'no', mode: 'append', marker: 'v/1' }, live()),
    );
    expect(readOnly).toMatchObject({ code: RunErrorCode.documentFailed, retryable: false });
    expect(readOnly.message).toContain('read-only');
    expect(await stored(id)).toEqual({ text: '', markers: [] });
  });

  it('stops at once on an aborted signal, before and during a write', async () => {
    const id = newDocument();
    const { docs, engines } = as(Tokens.editor);
    const aborted = new AbortController();
    aborted.abort(new Error('the run was cancelled'));
    const early = await rejection(
      docs.write(id, { text: 'x', mode: 'append', marker: 'a/1' }, aborted.signal),
    );
    expect(early).toMatchObject({ code: RunErrorCode.cancelled });
    expect(early.message).toContain('the run was cancelled');
    expect(engines).toHaveLength(0);

    await docs.read(id, live());
    persistence.hold();
    const during = new AbortController();
    const write = rejection(docs.write(id, { text: 'y', mode: 'append', marker: 'a/2' }, during.signal));
    await until(() => persistence.waiting > 0, 'the server to receive the edit');
    during.abort('timeout');
    expect(await write).toMatchObject({ code: RunErrorCode.cancelled });
  });

  it('reports a started engine’s end through `closed`, and its pid while it runs', async () => {
    const engine = await start(mode, true);
    expect(engine.mode).toBe(mode);
    if (mode === 'worker') expect(engine.pid).toBe(process.pid);
    else expect(engine.pid).not.toBe(process.pid);
    const reason = crash(engine);
    expect(await engine.closed).toContain(reason);
    expect(engine.pid).toBeUndefined();
    await engine.close();

    const closing = await start(mode);
    await closing.close();
    expect(await closing.closed).toBe('the editor engine was closed');
    expect(closing.pid).toBeUndefined();
  });

  it('does not keep the orchestrator’s process alive after close()', { timeout: 60_000 }, async () => {
    const id = newDocument();
    const child = orchestrator('close', mode, id);
    const facts = lines(child);
    expect(await facts.until((f) => 'closed' in f)).toEqual({ closed: 'the editor engine was closed' });
    // The stand-in returns without process.exit: it ends once nothing keeps its event loop alive.
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    expect(await stored(id)).toEqual({ text: 'closed\n', markers: ['c/1'] });
  });
});

describe('startEngine', () => {
  it('refuses bad arguments with named errors', async () => {
    const { docs } = documentsAs(Tokens.editor);
    const badId = await rejection(docs.read('../etc' as DocumentId, live()));
    expect(badId.code).toBe(RunErrorCode.invalidInput);
    const badMarker = await rejection(
      docs.write(newDocument(), { text: 'x', mode: 'append', marker: 'm'.repeat(257) }, live()),
    );
    expect(badMarker.code).toBe(RunErrorCode.invalidInput);
    expect(() => new EngineDocuments({ connect: 'nope' as never })).toThrow(OrchestratorInputError);
    await expect(startEngine({ syncUrl: 'http://not-ws' })).rejects.toThrow(OrchestratorInputError);
    await expect(startEngine({ syncUrl: 'ws://h/yjs', mode: 'thread' as never })).rejects.toThrow(
      OrchestratorInputError,
    );
  });

  it('reports a worker that exits on its own, and one that cannot start, as retryable', async () => {
    const engine = await start('worker', true);
    tellCrashable({ exit: 3 });
    expect(await engine.closed).toContain('stopped with code 3');
    const missing = await rejection(
      startEngineWorker({
        syncUrl: teamServerEndpoints(server.url).yjs,
        startTimeoutMs: 15_000,
        memoryLimitMb: 1024,
        entry: new URL('./fixtures/no-such-worker.mjs', import.meta.url),
      }),
    );
    expect(missing).toMatchObject({ code: RunErrorCode.documentFailed, retryable: true });
    expect(missing.message).toContain('could not start the editor engine');
  });
});

describe('an orchestrator killed with SIGKILL in the middle of its writes', () => {
  // The stand-in sends edit m/1, its flush, then edit m/2 and its flush. The server's storage is
  // held, so the flush of m/1 waits and m/2 waits behind it (the engine answers in order) when the
  // stand-in is killed. Whatever the engine does with m/2 after that, it does after its
  // orchestrator died, where a restarted orchestrator's new engine may be writing m/2 too.
  it.each(MODES)('%s engine', { timeout: 90_000 }, async (mode) => {
    const id = newDocument();
    const child = orchestrator('kill', mode, id);
    const facts = lines(child);
    const { enginePid } = (await facts.until((f) => 'enginePid' in f)) as { enginePid: number };
    await facts.until((f) => f.ready === true);
    persistence.hold();
    child.stdin?.write('go\n');
    await facts.until((f) => f.sent === true);
    await until(() => persistence.waiting > 0, 'the server to receive edit m/1');
    child.kill('SIGKILL');
    expect(await exited(child)).toEqual({ code: null, signal: 'SIGKILL' });

    if (mode === 'worker') {
      // The engine ran in the killed process: it is gone with it, m/2 still unsent.
      expect(enginePid).toBe(child.pid);
      persistence.release();
      await eventually(async () => (await stored(id)).markers.length > 0, 'the server to store m/1');
    } else {
      // The engine is a process of its own: it outlived the orchestrator, still holding m/2 …
      expect(enginePid).not.toBe(child.pid);
      cleanups.push(() => kill(enginePid));
      expect(isAlive(enginePid)).toBe(true);
      persistence.release();
      // … and writes it once the server answers, with nobody left to tell.
      await eventually(async () => (await stored(id)).markers.includes('m/2'), 'the survivor to store m/2');
      await until(() => !isAlive(enginePid), 'the survivor to exit', 30_000);
    }
    expect(await stored(id)).toEqual({
      text: mode === 'worker' ? 'first\n' : 'first\nsecond\n',
      markers: mode === 'worker' ? ['m/1'] : ['m/1', 'm/2'],
    });

    // A restarted orchestrator writes m/2 again: it lands once either way.
    const { docs } = documentsAs(Tokens.editor);
    const again = await docs.write(id, { text: 'second\n', mode: 'append', marker: 'm/2' }, live());
    expect(again).toEqual({ applied: mode === 'worker' });
    // Through EngineDocuments an append starts its own paragraph; the survivor's raw edit did not.
    const text = mode === 'worker' ? 'first\n\nsecond\n' : 'first\nsecond\n';
    expect(await stored(id)).toEqual({ text, markers: ['m/1', 'm/2'] });
  });
});

/** Starts the stand-in orchestrator (`fixtures/engine-orchestrator.mjs`) on the test server. */
function orchestrator(scenario: 'kill' | 'close', mode: EngineMode, id: DocumentId): ChildProcess {
  const syncUrl = teamServerEndpoints(server.url).yjs;
  const child = spawn(process.execPath, [ORCHESTRATOR, scenario, mode, syncUrl, id, Tokens.editor], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** How a child ended. */
function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Polls an asynchronous `check` until it holds, or fails naming `what` after 30 s. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function kill(pid: number): void {
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** The JSON lines a child prints, awaitable one condition at a time. */
function lines(child: ChildProcess) {
  const seen: Record<string, unknown>[] = [];
  const waiters: {
    matches: (f: Record<string, unknown>) => boolean;
    resolve: (f: Record<string, unknown>) => void;
  }[] = [];
  let buffer = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const fact = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
      buffer = buffer.slice(newline + 1);
      seen.push(fact);
      for (const waiter of waiters.splice(0)) {
        if (waiter.matches(fact)) waiter.resolve(fact);
        else waiters.push(waiter);
      }
    }
  });
  return {
    until(matches: (f: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
      const found = seen.find(matches);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        waiters.push({ matches, resolve });
        child.once('exit', (code, signal) =>
          reject(new Error(`the stand-in ended (${code ?? signal}) before the expected line: ${stderr}`)),
        );
      });
    },
  };
}
