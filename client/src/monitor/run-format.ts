// How runs read for a person: durations, times, tokens and cost, statuses, and the one-line status of
// a run that the board's live region says.
import type { RunStatus } from '@symphony/schemas';
import type { RunProgress } from './workflow-runs.js';

/** "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const total = Math.round(s);
  const m = Math.floor(total / 60);
  if (m < 60) return `${m} min ${String(total % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** A time of day, with the date when it is not `now`'s day: "14:05:09", "3 Mar, 14:05". */
export function formatWhen(at: number, now: number, locale = 'en-GB'): string {
  const date = new Date(at);
  const today = new Date(now).toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : date.toLocaleString(locale, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/** "1,234 tokens in · 567 out". */
export function formatTokens(input: number, output: number): string {
  const n = (x: number) => x.toLocaleString('en');
  return `${n(input)} in · ${n(output)} out`;
}

/** "$0.0123", "$1.20", "$0" : US dollars, with the digits a small cost needs. */
export function formatCost(usd: number): string {
  if (!Number.isFinite(usd) || usd <= 0) return '$0';
  if (usd < 0.01) return `$${usd.toPrecision(2)}`;
  return `$${usd.toFixed(2)}`;
}

/** A run's status in words. */
export const RUN_STATUS_LABEL: Readonly<Record<RunStatus, string>> = {
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/**
 * What the board's live region says about the run it shows: "Running: 3 of 7 nodes done",
 * "Succeeded: 7 of 7 nodes in 12.3 s", "Failed: 2 of 7 nodes done".
 */
export function runStatusLine(
  status: RunStatus,
  progress: RunProgress,
  timing: { startedAt: number; finishedAt?: number | undefined },
  resumable = false,
): string {
  const done = `${progress.done} of ${progress.total} node${progress.total === 1 ? '' : 's'}`;
  if (status === 'running')
    return resumable ? `Interrupted: ${done} done, Resume to finish it` : `Running: ${done} done`;
  const took =
    timing.finishedAt === undefined ? '' : ` in ${formatDuration(timing.finishedAt - timing.startedAt)}`;
  return `${RUN_STATUS_LABEL[status]}: ${done} done${took}`;
}
