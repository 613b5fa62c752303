// A binary min-heap of (time, node) pairs: the planner's retry timers, O(log n) per timer.

/** Pending wake-ups, earliest first. Entries are never removed early: stale ones are skipped by the reader. */
export class TimerHeap {
  readonly #at: number[] = [];
  readonly #node: number[] = [];

  get size(): number {
    return this.#at.length;
  }

  /** The earliest time, or undefined when empty. */
  peekAt(): number | undefined {
    return this.#at[0];
  }

  /** The node of the earliest entry, or undefined when empty. */
  peekNode(): number | undefined {
    return this.#node[0];
  }

  push(at: number, node: number): void {
    const a = this.#at;
    const n = this.#node;
    let i = a.length;
    a.push(at);
    n.push(node);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= at) break;
      a[i] = a[parent]!;
      n[i] = n[parent]!;
      i = parent;
    }
    a[i] = at;
    n[i] = node;
  }

  /** Removes the earliest entry. */
  pop(): void {
    const a = this.#at;
    const n = this.#node;
    const lastAt = a.pop()!;
    const lastNode = n.pop()!;
    if (a.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= a.length) break;
      const right = left + 1;
      const child = right < a.length && a[right]! < a[left]! ? right : left;
      if (a[child]! >= lastAt) break;
      a[i] = a[child]!;
      n[i] = n[child]!;
      i = child;
    }
    a[i] = lastAt;
    n[i] = lastNode;
  }
}
