// A Lit controller that follows the session registry's app-wide connection state (online, offline,
// syncing, unsaved changes) and re-renders its element on every change.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { AggregateState, SessionRegistry } from '../sync/session-registry.js';

/**
 * Keeps a host element informed of the app-wide connection state (online / offline / syncing and
 * unsaved changes) and re-renders it on every change.
 */
export class ConnectionStateController implements ReactiveController {
  private registry: SessionRegistry | undefined;
  private unsubscribe: (() => void) | null = null;
  private connected = false;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** The current state, or `null` before a registry is attached. */
  get state(): AggregateState | null {
    return this.registry?.state ?? null;
  }

  /** Follows `registry` (call again when it changes). */
  attach(registry: SessionRegistry | undefined): void {
    if (registry === this.registry) return;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.registry = registry;
    if (this.connected) this.listen();
  }

  hostConnected(): void {
    this.connected = true;
    this.listen();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private listen(): void {
    if (this.registry === undefined || this.unsubscribe !== null) return;
    this.unsubscribe = this.registry.subscribe(() => this.host.requestUpdate());
    this.host.requestUpdate();
  }
}
