// Shows runs as they execute: on a terminal a progress bar per run (nodes finished / total,
// elapsed, what is running) with a line per node as it finishes; piped, the same lines without
// control codes; with --json, NDJSON records and progress on stdout.
import { applyRunEvent, foldRun, isFinalNodeState, type RunState } from '@symphony/pit';
import type { NodeId, RunEvent, RunId } from '@symphony/schemas';
import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../executor/options.js';
import type { CliIo } from './io.js';
import { ndjson } from './ndjson.js';
import { describeNode, nodeLine, startLine, summaryLine } from './run-format.js';

/** How runs are shown: a terminal with bars, plain lines, or NDJSON. */
export type OutputMode = 'tty' | 'plain' | 'json';

/** The mode for `io`: `json` when asked for, `tty` when stderr is a terminal, else `plain`. */
export function outputMode(io: CliIo, json: boolean): OutputMode {
  if (json) return 'json';
  return io.stderrIsTty ? 'tty' : 'plain';
}

/** One run being shown. */
interface Followed {
  readonly state: RunState;
  /** When each node's first attempt here started (durations span retries). */
  readonly firstStarted: Map<NodeId, number>;
  readonly running: Set<NodeId>;
  /** The tail of the tokens the latest streaming node produced (a model's answer as it arrives). */
  streamed?: string;
  bar?: cliProgress.SingleBar;
}

/** Characters of streamed tokens shown after the running nodes. */
const STREAM_WIDTH = 36;

/** 40 characters of running node names beside a bar: enough for two or three, never a wrapped line. */
const RUNNING_WIDTH = 40;

/**
 * Turns journal records and step progress into output. Feed it every record (`event`, e.g. from
 * `DagTracker.subscribe`) and progress (`progress`); it shows the runs it was told to `watch`,
 * and with `acceptNew` any run whose `run.started` it sees (a run this process starts).
 */
export class RunFollower {
  readonly #runs = new Map<RunId, Followed>();
  readonly #bars: cliProgress.MultiBar | undefined;
  #stopped = false;

  constructor(
    private readonly io: CliIo,
    readonly mode: OutputMode,
    private readonly acceptNew: boolean,
  ) {
    this.#bars =
      mode === 'tty'
        ? new cliProgress.MultiBar(
            {
              stream: io.stderrStream ?? process.stderr,
              format: ' {bar} {value}/{total} nodes | {duration_formatted} | {running}',
              hideCursor: true,
              clearOnComplete: true,
              gracefulExit: false,
              barsize: 24,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
  }

  /** Shows `state`'s run (read from its journal) from now on, as it is resumed. */
  watch(state: RunState): void {
    if (this.#runs.has(state.runId)) return;
    const done = [...state.nodes.values()].filter((n) => isFinalNodeState(n.state)).length;
    this.line(`resuming run ${state.runId}: ${done} of ${state.nodes.size} nodes already done`);
    this.#add(state);
  }

  /** A journal record, once durable. */
  event(event: RunEvent): void {
    const followed = this.#runs.get(event.runId);
    if (followed === undefined) {
      if (!this.acceptNew || event.type !== 'run.started') return;
      if (this.mode === 'json') this.io.stdout(ndjson({ kind: 'event', event }));
      this.#add(foldRun([event]));
      return;
    }
    if (this.mode === 'json') this.io.stdout(ndjson({ kind: 'event', event }));
    const { state } = followed;
    if (event.type === 'run.started') return;
    applyRunEvent(state, event);
    if (event.type === 'node.running') {
      if (!followed.firstStarted.has(event.nodeId)) followed.firstStarted.set(event.nodeId, event.at);
      followed.running.add(event.nodeId);
    } else if ('nodeId' in event && event.nodeId !== undefined && event.type !== 'run.cancelRequested') {
      followed.running.delete(event.nodeId);
    }
    const line = nodeLine(
      state,
      event,
      'nodeId' in event && event.nodeId ? followed.firstStarted.get(event.nodeId) : undefined,
    );
    if (line !== undefined) this.line(this.#runs.size > 1 ? `${state.runId}  ${line}` : line);
    if (event.type === 'run.finished') {
      followed.running.clear();
      this.line(summaryLine(state));
    }
    this.#draw(followed);
  }

  /** A step's progress. */
  progress(event: ProgressEvent): void {
    const followed = this.#runs.get(event.runId);
    if (followed === undefined) return;
    if (this.mode === 'tty' && event.progress.tokens) {
      // One line of plain text, whatever the model wrote: line breaks, tabs and control codes
      // (a terminal escape in a model's answer must not reach the terminal) become spaces.
      const text = `${followed.streamed ?? ''}${event.progress.tokens}`.replace(/[\s\p{Cc}]+/gu, ' ');
      followed.streamed = text.slice(-STREAM_WIDTH);
      this.#draw(followed);
    }
    if (this.mode !== 'json') return;
    this.io.stdout(
      ndjson({
        kind: 'progress',
        runId: event.runId,
        nodeId: event.nodeId,
        attempt: event.attempt,
        ...event.progress,
      }),
    );
  }

  /** The runs shown, by id. */
  state(runId: RunId): RunState | undefined {
    return this.#runs.get(runId)?.state;
  }

  /** A line for people: on stdout, or above the bars when stdout is the same terminal. */
  line(text: string): void {
    if (this.mode === 'json') return;
    if (this.#bars !== undefined && !this.#stopped && this.io.stdoutIsTty === true)
      this.#bars.log(`${text}\n`);
    else this.io.stdout(`${text}\n`);
  }

  /** A warning: on stderr, above the bars on a terminal. */
  warn(text: string): void {
    if (this.#bars !== undefined && !this.#stopped) this.#bars.log(`symphony: ${text}\n`);
    else this.io.stderr(`symphony: ${text}\n`);
  }

  /** Removes the bars (flushing what was logged above them) and restores the cursor. */
  stop(): void {
    if (this.#bars === undefined || this.#stopped) return;
    this.#stopped = true;
    // Nothing was drawn, so there is nothing to clear (and no cursor to show again).
    if (this.#runs.size === 0) return;
    this.#bars.update();
    this.#bars.stop();
  }

  #add(state: RunState): void {
    const followed: Followed = { state, firstStarted: new Map(), running: new Set() };
    this.#runs.set(state.runId, followed);
    this.line(startLine(state));
    if (this.#bars !== undefined) {
      followed.bar = this.#bars.create(state.nodes.size, finished(state), { running: '' });
    }
  }

  #draw(followed: Followed): void {
    if (followed.bar === undefined) return;
    const names = [...followed.running].map((id) => {
      const node = followed.state.workflow.nodes[id];
      return node?.label ?? node?.type ?? describeNode(followed.state.workflow, id);
    });
    let running = names.length === 0 ? '' : `running ${names.join(', ')}`;
    if (running.length > RUNNING_WIDTH) running = `${running.slice(0, RUNNING_WIDTH - 1)}…`;
    if (names.length === 0) followed.streamed = undefined;
    else if (followed.streamed) running += ` “…${followed.streamed}”`;
    followed.bar.update(finished(followed.state), { running });
  }
}

function finished(state: RunState): number {
  let count = 0;
  for (const node of state.nodes.values()) if (isFinalNodeState(node.state)) count++;
  return count;
}
