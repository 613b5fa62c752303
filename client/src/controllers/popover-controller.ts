// PopoverController: lists an element's popover on the app's stack of open popovers (openPopovers)
// while it is open, so Esc closes the innermost one first and a page change closes them all.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type Popover, type PopoverCloseReason, PopoverStack } from '../core/shortcuts.js';

/** The popovers open in this page; `<symphony-app>` closes them on Esc and on a page change. */
export const openPopovers = new PopoverStack();

/** How the host says whether its popover is open, and closes it. */
export interface PopoverOptions {
  isOpen(): boolean;
  /** Closes the popover; on `'dismiss'` focus goes back to what opened it. */
  close(reason: PopoverCloseReason): void;
}

/**
 * Follows the host's popover after each update: opened, it becomes the innermost on
 * {@link openPopovers}; closed (by Esc, its own buttons or the host leaving the page), it is removed.
 */
export class PopoverController implements ReactiveController, Popover {
  private listed = false;

  constructor(
    host: ReactiveControllerHost,
    private readonly options: PopoverOptions,
    private readonly stack: PopoverStack = openPopovers,
  ) {
    host.addController(this);
  }

  hostUpdated(): void {
    const open = this.options.isOpen();
    if (open === this.listed) return;
    this.listed = open;
    if (open) this.stack.add(this);
    else this.stack.remove(this);
  }

  hostDisconnected(): void {
    this.listed = false;
    this.stack.remove(this);
  }

  /** Called by the stack (Esc, a page change). */
  close(reason: PopoverCloseReason): void {
    this.listed = false;
    this.stack.remove(this);
    this.options.close(reason);
  }
}
