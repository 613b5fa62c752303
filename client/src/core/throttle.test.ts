// Tests of throttle: a run at once, then at most one per interval with a trailing run; flush and cancel.
import { describe, expect, it } from 'vitest';
import { throttle } from './throttle.js';

function fakeTimers() {
  let now = 0;
  const queue: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 0;
  return {
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        const id = ++nextId;
        queue.push({ at: now + ms, fn, id });
        return id;
      },
      clearTimeout: (id: unknown) => {
        const i = queue.findIndex((t) => t.id === id);
        if (i >= 0) queue.splice(i, 1);
      },
    },
    advance(ms: number) {
      now += ms;
      for (;;) {
        queue.sort((a, b) => a.at - b.at);
        const next = queue[0];
        if (next === undefined || next.at > now) return;
        queue.shift();
        next.fn();
      }
    },
  };
}

describe('throttle', () => {
  it('runs at once, then at most once per interval with a trailing run', () => {
    const clock = fakeTimers();
    let runs = 0;
    const run = throttle(() => runs++, 100, clock.timers);
    run();
    run();
    run();
    expect(runs).toBe(1);
    clock.advance(100);
    expect(runs).toBe(2);
    clock.advance(100);
    expect(runs).toBe(2);
    // A quiet interval later, the next call runs at once again.
    run();
    expect(runs).toBe(3);
    run();
    expect(runs).toBe(3);
    clock.advance(100);
    expect(runs).toBe(4);
  });

  it('flushes a pending run and cancels it', () => {
    const clock = fakeTimers();
    let runs = 0;
    const run = throttle(() => runs++, 100, clock.timers);
    run();
    run();
    run.flush();
    expect(runs).toBe(2);
    run();
    run();
    run.cancel();
    clock.advance(500);
    expect(runs).toBe(3);
  });
});
