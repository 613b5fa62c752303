// A Lit controller that re-renders its element whenever a store it watches (auth session, outbox, …)
// changes.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Anything with a `subscribe(listener) → unsubscribe` (the auth session, the outbox, …). */
export interface Subscribable {
  subscribe(listener: () => void): () => void;
}

/**
 * Re-renders a host whenever any of the stores it watches changes, while the host is connected.
 * Call {@link StoreSubscriptionController.watch} from `willUpdate` with the current stores.
 */
export class StoreSubscriptionController implements ReactiveController {
  private stores: readonly (Subscribable | undefined)[] = [];
  private stops: (() => void)[] = [];
  private connected = false;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** Watches exactly `stores` (undefined ones are skipped). */
  watch(stores: readonly (Subscribable | undefined)[]): void {
    if (stores.length === this.stores.length && stores.every((s, i) => s === this.stores[i])) return;
    this.stores = stores;
    if (this.connected) this.resubscribe();
  }

  hostConnected(): void {
    this.connected = true;
    this.resubscribe();
  }

  hostDisconnected(): void {
    this.connected = false;
    for (const stop of this.stops) stop();
    this.stops = [];
  }

  private resubscribe(): void {
    for (const stop of this.stops) stop();
    this.stops = this.stores.flatMap((s) =>
      s === undefined ? [] : [s.subscribe(() => this.host.requestUpdate())],
    );
  }
}
