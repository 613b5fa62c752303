/**
 * Runs `task` once everything already received has been handled: `setImmediate` in Node (after the
 * whole poll phase, so a burst of messages is answered together), a microtask elsewhere.
 */
const afterTurn: (task: () => void) => void =
  typeof setImmediate === 'function' ? (task) => void setImmediate(task) : queueMicrotask;

/**
 * Most messages sent together. A burst of 64 answers held until all were ready made the two sides
 * take turns (the engine idle while the client turned 64 answers into 64 requests, a quarter of the
 * time); in slices of 16 the far side starts on the first slice while this side works on the next.
 */
const MAX_BURST = 16;

/**
 * A sender that coalesces: the first message of a turn goes out at once (a lone request is never
 * delayed), the ones sent after it in the same turn go out together, in order, every
 * {@link MAX_BURST} and once the turn ends. Pipelined traffic then costs one write or `postMessage`
 * per slice instead of one per message.
 */
export function coalescingSender(
  sendOne: (text: string) => void,
  sendMany: (texts: string[]) => void,
  onError: (error: unknown) => void,
): CoalescingSender {
  let queue: string[] | undefined;
  const send = (texts: string[]) => {
    try {
      if (texts.length === 1) sendOne(texts[0]!);
      else if (texts.length > 1) sendMany(texts);
    } catch (error) {
      onError(error);
    }
  };
  const flush = () => {
    const texts = queue ?? [];
    queue = undefined;
    send(texts);
  };
  const sender = (text: string) => {
    if (queue) {
      queue.push(text);
      if (queue.length >= MAX_BURST) {
        // A new array before sending: a transport that answers synchronously may send again.
        const texts = queue;
        queue = [];
        send(texts);
      }
      return;
    }
    queue = [];
    afterTurn(flush);
    send([text]);
  };
  // Sends what is held now (before the output closes); the turn's own flush then finds nothing.
  return Object.assign(sender, {
    flush: () => {
      if (!queue) return;
      const texts = queue;
      queue = [];
      send(texts);
    },
  });
}

/** A coalescing sender; `flush()` sends at once whatever it still holds. */
export type CoalescingSender = ((text: string) => void) & { flush(): void };
