// What every way of running the editor engine gives the orchestrator: a client, a way to tell the
// engine is gone, and the greeting that checks it speaks this orchestrator's protocol.
import type { EditorEngineClient } from '@symphony/editor-engine';
import { EDITOR_ENGINE_PROTOCOL_VERSION, RunErrorCode } from '@symphony/schemas';
import { StepError } from '../steps/Step.js';

/** A live connection to an editor engine, however it runs. */
export interface EngineConnection {
  readonly client: EditorEngineClient;
  /**
   * Resolves, with why in words, once the connection is gone for good (the engine exited, crashed
   * or was closed); every request still pending has failed by then.
   */
  readonly closed: Promise<string>;
  /** Ends the connection (and the engine, if it is this connection's own). */
  close(): Promise<void>;
}

/** Where an engine started by `startEngine` runs. */
export const EngineMode = {
  /**
   * A `worker_threads` Worker in the orchestrator's own process (the default): a SIGKILL of the
   * process takes the engine with it, so no edit is forwarded after the orchestrator died.
   */
  worker: 'worker',
  /**
   * A child process (the engine's stdio bin): the engine outlives a SIGKILLed orchestrator for a
   * moment and may still forward an edit already in its stdin pipe.
   */
  process: 'process',
} as const;
export type EngineMode = (typeof EngineMode)[keyof typeof EngineMode];

/** An engine started by `startEngine`. */
export interface StartedEngine extends EngineConnection {
  /** Where it runs. */
  readonly mode: EngineMode;
  /**
   * The id of the process the engine runs in while it runs: the child's in `process` mode, this
   * process's own (`process.pid`) in `worker` mode; `undefined` once it stopped.
   */
  readonly pid: number | undefined;
}

/** The end of the engine's stderr kept to explain a crash: enough for its last log lines. */
const STDERR_TAIL_CHARS = 2_000;

/** The last {@link STDERR_TAIL_CHARS} characters an engine wrote to the streams it follows. */
export class OutputTail {
  #text = '';

  /** Keeps what `stream` writes from now on. */
  follow(stream: NodeJS.ReadableStream | null | undefined): void {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      this.#text = (this.#text + chunk).slice(-STDERR_TAIL_CHARS);
    });
  }

  /** ` (its last words: …)` from the last three lines kept, or nothing. */
  lastWords(): string {
    const last = this.#text.trim().split('\n').slice(-3).join(' | ');
    return last ? ` (its last words: ${last})` : '';
  }
}

/**
 * Asks a just-started engine `engine.hello` and checks it speaks this protocol with `buffer.flush`;
 * takes its message limit. On failure (no answer within `startTimeoutMs`, the engine stopped, a
 * wrong protocol) calls `close` and rejects with a retryable `StepError` (`document_failed`).
 */
export async function greetEngine(connection: EngineConnection, startTimeoutMs: number): Promise<void> {
  const { client, closed } = connection;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const hello = await Promise.race([
      client.request('engine.hello', { client: 'symphony-orchestrator' }),
      closed.then((reason) => {
        throw new Error(reason);
      }),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`it did not answer within ${startTimeoutMs} ms`)),
          startTimeoutMs,
        );
      }),
    ]);
    if (hello.protocolVersion !== EDITOR_ENGINE_PROTOCOL_VERSION || !hello.methods.includes('buffer.flush')) {
      throw new Error(
        `it speaks protocol ${hello.protocolVersion} without buffer.flush; this orchestrator needs protocol ${EDITOR_ENGINE_PROTOCOL_VERSION} with buffer.flush (rebuild with "npx tsc -b")`,
      );
    }
    client.maxMessageBytes = hello.limits.maxMessageBytes;
  } catch (error) {
    await connection.close();
    throw new StepError(
      RunErrorCode.documentFailed,
      `could not start the editor engine: ${error instanceof Error ? error.message : String(error)}`,
      true,
    );
  } finally {
    clearTimeout(timer);
  }
}
