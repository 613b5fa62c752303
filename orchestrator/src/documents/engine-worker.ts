// The editor engine in a worker_threads Worker of the orchestrator's own process: the same JSON-RPC
// over the worker's port, and gone together with the process, whatever kills it.
import { Worker } from 'node:worker_threads';
import { EditorEngineClient, portChannel } from '@symphony/editor-engine';
import { engineWorkerPath } from '@symphony/editor-engine/node';
import { RunErrorCode } from '@symphony/schemas';
import { StepError } from '../steps/Step.js';
import { greetEngine, OutputTail, type StartedEngine } from './engine-connection.js';

/** How {@link startEngineWorker} starts its worker. */
export interface EngineWorkerOptions {
  /** The team server's y-websocket base, e.g. `ws://127.0.0.1:4321/yjs`. */
  readonly syncUrl: string;
  /** How long the engine may take to start and answer `engine.hello`, in ms. */
  readonly startTimeoutMs: number;
  /** The worker's JavaScript heap limit, in MiB: an engine over it stops, the orchestrator does not. */
  readonly memoryLimitMb: number;
  /** The worker entry (the engine's own, `engineWorkerPath`); tests give one that can be crashed. */
  readonly entry?: string | URL;
}

/**
 * Starts the editor engine in a `worker_threads` Worker of this process (the engine's worker
 * entry with `workerData.syncUrl`), speaking its JSON-RPC over the worker's port, and resolves
 * once it has answered `engine.hello` (`startEngine`'s `worker` mode, the default). A SIGKILL of
 * this process ends the engine in the same instant, so nothing it was sent is carried out after
 * the orchestrator died.
 *
 * `close()` terminates the worker; it then no longer keeps the process alive. A worker that
 * crashes (an uncaught error, its heap limit) or exits fails every pending request and resolves
 * `closed` with why and its last stderr lines. Rejects with a retryable `StepError`
 * (`document_failed`) when it cannot start.
 */
export async function startEngineWorker(options: EngineWorkerOptions): Promise<StartedEngine> {
  let worker: Worker;
  try {
    worker = new Worker(options.entry ?? engineWorkerPath, {
      workerData: { syncUrl: options.syncUrl },
      // Its output is kept to explain a crash, not mixed into the orchestrator's (as the bin's stderr).
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: options.memoryLimitMb },
    });
  } catch (error) {
    throw new StepError(
      RunErrorCode.documentFailed,
      `could not start the editor engine's worker: ${error instanceof Error ? error.message : String(error)}`,
      true,
    );
  }
  const output = new OutputTail();
  output.follow(worker.stdout);
  output.follow(worker.stderr);
  let closing = false;
  let exited = false;
  const closed = new Promise<string>((resolve) => {
    // An uncaught error in the worker comes first, then its exit.
    worker.once('error', (error) => {
      exited = true;
      resolve(
        closing
          ? 'the editor engine was closed'
          : `the editor engine crashed: ${error.message}${output.lastWords()}`,
      );
    });
    worker.once('exit', (code) => {
      exited = true;
      resolve(
        closing
          ? 'the editor engine was closed'
          : `the editor engine's worker stopped with code ${code}${output.lastWords()}`,
      );
    });
  });
  // Closing the client's port channel terminates the worker.
  const client = new EditorEngineClient(portChannel(worker));
  void closed.then(() => client.close());

  const close = async (): Promise<void> => {
    closing = true;
    client.close();
    await worker.terminate();
    await closed;
  };

  await greetEngine({ client, closed, close }, options.startTimeoutMs);
  return {
    mode: 'worker',
    client,
    closed,
    close,
    get pid() {
      return exited ? undefined : process.pid;
    },
  };
}
