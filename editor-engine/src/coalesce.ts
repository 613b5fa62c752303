/**
 * Runs `task` once everything already received has been handled: `setImmediate` in Node (after the
 * whole poll phase, so a burst of messages is answered together), a microtask elsewhere.
 */
const afterTurn: (task: () => void) => void =
  typeof setImmediate === 'function' ? (task) => void setImmediate(task) : queueMicrotask;

/**
 * A sender that coalesces: the first message of a turn goes out at once (a lone request is never
 * delayed), the ones sent after it in the same turn go out together once the turn ends, in order.
 * Pipelined traffic then costs one write or `postMessage` per burst instead of one per message.
 */
export function coalescingSender(
  sendOne: (text: string) => void,
  sendMany: (texts: string[]) => void,
  onError: (error: unknown) => void,
): (text: string) => void {
  let queue: string[] | undefined;
  const flush = () => {
    const texts = queue ?? [];
    queue = undefined;
    try {
      if (texts.length === 1) sendOne(texts[0]!);
      else if (texts.length > 1) sendMany(texts);
    } catch (error) {
      onError(error);
    }
  };
  return (text) => {
    if (queue) {
      queue.push(text);
      return;
    }
    queue = [];
    afterTurn(flush);
    sendOne(text);
  };
}
