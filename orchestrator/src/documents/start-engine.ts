// Starting the editor engine for a run's documents: in a worker of this process (the default), or as
// a child process.
import { z } from 'zod';
import { parseArgs } from '../executor/errors.js';
import { EngineMode, type StartedEngine } from './engine-connection.js';
import { startEngineProcess } from './engine-process.js';
import { startEngineWorker } from './engine-worker.js';

/** What {@link startEngine} needs. */
export const StartEngineOptions = z.object({
  /** The team server's y-websocket base, e.g. `ws://127.0.0.1:4321/yjs` (`teamServerEndpoints(server).yjs`). */
  syncUrl: z
    .string()
    .max(2048)
    .regex(/^wss?:\/\/\S+$/, 'syncUrl must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:4321/yjs'),
  /**
   * Where the engine runs: `worker` (the default), a Worker of this process that a SIGKILL of the
   * orchestrator takes with it; `process`, a child process that outlives it for a moment.
   */
  mode: z.enum([EngineMode.worker, EngineMode.process]).default(EngineMode.worker),
  /** How long the engine may take to start and answer `engine.hello`, in ms (15 s). */
  startTimeoutMs: z.number().int().positive().max(120_000).default(15_000),
  /**
   * `worker` mode: the engine's JavaScript heap limit in MiB (1 GiB, room for many 10 MiB
   * documents); an engine over it stops like a crashed one, and the orchestrator goes on.
   */
  memoryLimitMb: z.number().int().min(64).max(16_384).default(1024),
});
export type StartEngineOptions = z.input<typeof StartEngineOptions>;

/**
 * Starts an editor engine joined to the team server at `syncUrl` and resolves once it has answered
 * `engine.hello` with this protocol (and `buffer.flush`).
 *
 * By default it runs in a `worker_threads` Worker of this process (`mode: 'worker'`), so a SIGKILL
 * of the orchestrator ends it in the same instant: an edit it was sent is either out before the
 * kill or never sent, and a restarted orchestrator's new engine cannot race a survivor (the
 * exactly-once guarantee of marker-protected writes). `mode: 'process'` runs the engine's stdio
 * bin as a child process instead.
 *
 * Either way `close()` ends the engine and it no longer keeps the process alive; an engine that
 * crashes or exits fails every pending request and resolves `closed` with why (the caller then
 * starts a new one). Rejects with `OrchestratorInputError` for bad options and with a retryable
 * `StepError` (`document_failed`) when the engine cannot start.
 */
export async function startEngine(options: StartEngineOptions): Promise<StartedEngine> {
  const { syncUrl, mode, startTimeoutMs, memoryLimitMb } = parseArgs(
    'startEngine',
    StartEngineOptions,
    options,
  );
  return mode === EngineMode.process
    ? startEngineProcess(syncUrl, startTimeoutMs)
    : startEngineWorker({ syncUrl, startTimeoutMs, memoryLimitMb });
}
