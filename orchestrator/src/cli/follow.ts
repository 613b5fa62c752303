// Waiting for runs started or resumed by a command, with Ctrl-C: the first cancels them cleanly
// (the cancellation is recorded), a second stops at once and leaves them resumable.
import type { RunState } from '@symphony/pit';
import type { RunId } from '@symphony/schemas';
import type { RunHandle } from '../executor/Executor.js';
import type { Engine } from './data-dir.js';
import { ExitCode, messageOf } from './errors.js';
import { type CliIo, onInterrupt } from './io.js';
import type { RunFollower } from './run-follower.js';

/** How following ended. */
export interface Followed {
  readonly code: ExitCode;
  /**
   * A second Ctrl-C stopped the runs where they were: the engine is being closed without waiting
   * (nothing more is recorded) and the process should exit now.
   */
  readonly abandoned: boolean;
}

/**
 * Waits for every run in `handles` to finish; 0 when all succeeded, 1 otherwise. Ctrl-C once asks
 * each to cancel; twice closes the executor (the runs stay resumable) and returns at once.
 */
export async function followRuns(
  engine: Engine,
  follower: RunFollower,
  handles: readonly RunHandle[],
  io: CliIo,
): Promise<Followed> {
  let interrupts = 0;
  let abandon: (() => void) | undefined;
  const abandoned = new Promise<'abandoned'>((resolve) => {
    abandon = () => resolve('abandoned');
  });
  const ids = handles.map((h) => h.runId);
  const stopListening = onInterrupt(io, () => {
    interrupts++;
    if (interrupts === 1) {
      follower.warn(`cancelling ${list(ids)}… (press Ctrl-C again to stop at once; the run stays resumable)`);
      for (const handle of handles) {
        handle
          .cancel()
          .catch((error: unknown) => follower.warn(`cancel ${handle.runId}: ${messageOf(error)}`));
      }
      return;
    }
    abandon?.();
  });
  try {
    const outcome = await Promise.race([Promise.all(handles.map((h) => settle(h))), abandoned]);
    if (outcome === 'abandoned') {
      follower.stop();
      void engine.close().catch(() => {});
      const hints = ids.map((id) => `resume with "symphony runs resume ${id}"`).join('; ');
      io.stderr(
        `symphony: stopped at once; ${list(ids)} left unfinished, resumable: ${hints} ` +
          '(a cancellation already recorded is carried out then; "symphony runs rerun" starts afresh)\n',
      );
      return { code: ExitCode.failed, abandoned: true };
    }
    follower.stop();
    let code: ExitCode = ExitCode.ok;
    for (const [index, result] of outcome.entries()) {
      if (result.ok && result.state.status === 'succeeded') continue;
      code = ExitCode.failed;
      if (!result.ok) io.stderr(`symphony: run ${ids[index]} stopped: ${messageOf(result.error)}\n`);
    }
    return { code, abandoned: false };
  } finally {
    stopListening();
  }
}

type Settled = { ok: true; state: RunState } | { ok: false; error: unknown };

function settle(handle: RunHandle): Promise<Settled> {
  return handle.done.then(
    (state): Settled => ({ ok: true, state }),
    (error: unknown): Settled => ({ ok: false, error }),
  );
}

function list(ids: readonly RunId[]): string {
  return ids.length === 1 ? `run ${ids[0]}` : `runs ${ids.join(', ')}`;
}
