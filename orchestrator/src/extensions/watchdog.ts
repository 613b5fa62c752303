// Outside the sandbox: what stops an extension that will not stop itself. Time per call (cancel at
// the limit, kill a grace later) and resident memory of the whole process tree, polled.
import { readdir, readFile } from 'node:fs/promises';

/** Resident bytes of `pid` and every descendant (bwrap, its init, node), from /proc; 0 once gone. */
export async function treeRssBytes(pid: number): Promise<number> {
  let total = 0;
  for (const one of await descendants(pid)) total += await rssBytes(one);
  return total;
}

/** `pid` and every descendant (bwrap, its init, node), from /proc: what the host signals as one. */
export function treePids(pid: number): Promise<number[]> {
  return descendants(pid);
}

/** `pid` and its descendants, from /proc/<pid>/task/<tid>/children. */
async function descendants(pid: number): Promise<number[]> {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    found.push(next);
    let tasks: string[];
    try {
      tasks = await readdir(`/proc/${next}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const text = await readFile(`/proc/${next}/task/${task}/children`, 'utf8');
        for (const child of text.split(' ')) if (child.trim()) queue.push(Number(child));
      } catch {
        // The task ended between the listing and the read.
      }
    }
  }
  return found;
}

async function rssBytes(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Options of a {@link MemoryWatch}. */
export interface MemoryWatchOptions {
  readonly pid: number;
  readonly limitBytes: number;
  readonly pollMs: number;
  /** Called once, with the resident bytes seen, when they pass the limit. */
  readonly onOver: (rssBytes: number) => void;
  /** Reads the tree's resident bytes; /proc by default (tests inject one). */
  readonly read?: (pid: number) => Promise<number>;
}

/**
 * Polls a process tree's resident set and reports once when it passes the limit. RSS covers what a
 * heap limit does not: ArrayBuffers, Buffers, native allocations.
 */
export class MemoryWatch {
  readonly #options: MemoryWatchOptions;
  readonly #timer: NodeJS.Timeout;
  #reading = false;
  #stopped = false;
  /** Resident bytes at the last poll. */
  last = 0;

  constructor(options: MemoryWatchOptions) {
    this.#options = options;
    this.#timer = setInterval(() => void this.#poll(), options.pollMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  async #poll(): Promise<void> {
    if (this.#reading || this.#stopped) return;
    this.#reading = true;
    try {
      this.last = await (this.#options.read ?? treeRssBytes)(this.#options.pid);
      if (!this.#stopped && this.last > this.#options.limitBytes) {
        this.stop();
        this.#options.onOver(this.last);
      }
    } finally {
      this.#reading = false;
    }
  }
}

/**
 * The time limit of one call: `onCancel` at `timeoutMs` (the extension is asked to stop), `onKill`
 * `graceMs` later if the call has not settled by then. Returns the disarm function.
 */
export function armCallTimer(options: {
  readonly timeoutMs: number;
  readonly graceMs: number;
  readonly onCancel: () => void;
  readonly onKill: () => void;
}): () => void {
  let kill: NodeJS.Timeout | undefined;
  const cancel = setTimeout(() => {
    options.onCancel();
    kill = setTimeout(options.onKill, options.graceMs);
  }, options.timeoutMs);
  return () => {
    clearTimeout(cancel);
    if (kill) clearTimeout(kill);
  };
}
