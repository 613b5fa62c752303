// The owner's side of cancellation between processes: it polls `<runsDir>/<runId>.cancel`.
import type { NodeId, RunId } from '@symphony/schemas';
import type { Clock, ClockTimer, ExecutorLogger } from './options.js';
import { takeCancelRequests } from './run-claims.js';

/**
 * Every `intervalMs` (on the injected clock), takes the cancellation requests other processes left
 * for the run and hands each to `onRequest` (a node id, or undefined for the whole run), one
 * after the other. A poll that fails is a warning; polling goes on until `stop`.
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
      for (const nodeId of await takeCancelRequests(this.runsDir, this.runId)) {
        if (this.#stopped) return;
        await this.onRequest(nodeId);
      }
    } catch (error) {
      this.logger.warn(`could not read the cancellation requests of run ${this.runId}`, {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
