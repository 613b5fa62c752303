// A run's cache entries, written in the background once the success they record is durable.
import type { ArtifactStore } from '@symphony/pit';
import type { ArtifactHash, NodeOutputs, RunId } from '@symphony/schemas';
import type { Clock, ExecutorLogger } from './options.js';

/**
 * Writes cache entries after their `node.succeeded` is durable, never holding up the run; a
 * failed write is a warning (the node only runs again next time). `written` waits for them all.
 */
export class CacheWriter {
  #pending = 0;
  #idle: (() => void) | undefined;
  #quiet = false;

  constructor(
    private readonly runId: RunId,
    private readonly store: ArtifactStore,
    private readonly clock: Clock,
    private readonly logger: ExecutorLogger,
  ) {}

  /** Writes `outputs` under `key` once `succeeded` (the record's durability) resolves. */
  remember(key: ArtifactHash, outputs: NodeOutputs, succeeded: Promise<void>): void {
    this.#pending++;
    const done = () => {
      if (--this.#pending === 0) this.#idle?.();
    };
    const warn = (error: unknown) => {
      if (!this.#quiet) {
        this.logger.warn(`the cache entry ${key} could not be written; the node will run again next time`, {
          runId: this.runId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
      done();
    };
    succeeded.then(() => {
      let write: Promise<void>;
      try {
        write = this.store.remember(key, { outputs, runId: this.runId, at: this.clock.now() });
      } catch (error) {
        write = Promise.reject(error);
      }
      write.then(done, warn);
    }, done);
  }

  /** Resolves once every entry asked for so far is written (or has failed). */
  written(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#idle;
      this.#idle = () => {
        previous?.();
        resolve();
      };
    });
  }

  /** Stops warning about failed writes (the run stopped; its store may be closing). */
  silence(): void {
    this.#quiet = true;
  }
}
