// Tests of how runs read: durations, cost, and the run's status line.
import { describe, expect, it } from 'vitest';
import { formatCost, formatDuration, runStatusLine } from './run-format.js';

describe('run formatting', () => {
  it('says durations at a scale a person reads', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12 s');
    expect(formatDuration(4_200)).toBe('4.2 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(7_380_000)).toBe('2 h 03 min');
    expect(formatDuration(-1)).toBe('');
  });

  it('says small costs with the digits they need', () => {
    expect(formatCost(0)).toBe('$0');
    expect(formatCost(0.00123)).toBe('$0.0012');
    expect(formatCost(1.2)).toBe('$1.20');
  });

  it('says where a run stands', () => {
    const progress = { done: 3, total: 7, fraction: 3 / 7 };
    expect(runStatusLine('running', progress, { startedAt: 0 })).toBe('Running: 3 of 7 nodes done');
    expect(runStatusLine('running', progress, { startedAt: 0 }, true)).toBe(
      'Interrupted: 3 of 7 nodes done, Resume to finish it',
    );
    expect(
      runStatusLine('succeeded', { done: 1, total: 1, fraction: 1 }, { startedAt: 0, finishedAt: 1500 }),
    ).toBe('Succeeded: 1 of 1 node done in 1.5 s');
  });
});
