// The owner's side of cancellation between processes: it polls `<runsDir>/<runId>.cancel`.
import type { NodeId, RunId } from '@symphony/schemas';
import type { Clock, ClockTimer, ExecutorLogger } from './options.js';
import { takeCancelBatch } from './run-claims.js';

/**
 * Every `intervalMs` (on the injected clock), takes the cancellation requests other processes left
 * for the run and hands each to `onRequest` (a node id, or undefined for the whole run), one
 * after the other; `onRequest` resolves once the request is recorded durably. Only when all of a
 * batch were handed over is it acknowledged (its file deleted), so a crash or a `stop` in between
 * leaves it for the next poll or the next process. A poll that fails is a warning; polling goes
 * on until `stop`.
 */
export class CancelPoller {
  #timer: ClockTimer | undefined;
  #stopped = false;

  constructor(
    private readonly runsDir: string,
    private readonly runId: RunId,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly logger: ExecutorLogger,
    private readonly onRequest: (nodeId: NodeId | undefined) => Promise<void>,
  ) {}

  start(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#poll().finally(() => this.start());
    }, this.intervalMs);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #poll(): Promise<void> {
    try {
      const batch = await takeCancelBatch(this.runsDir, this.runId);
      for (const nodeId of batch.requests) {
        if (this.#stopped) return;
        await this.onRequest(nodeId);
      }
      if (!this.#stopped) await batch.acknowledge();
    } catch (error) {
      this.logger.warn(`could not read the cancellation requests of run ${this.runId}`, {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
