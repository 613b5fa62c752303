// Tests of a node's live output: progress appended per attempt, bounded, and merged with the
// orchestrator's snapshot without losing or doubling text.
import { MonitorLimits, type MonitorProgress, type NodeId, type RunId } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { appendProgress, mergeLiveSnapshot, mergeText } from './node-live.js';

const p = (attempt: number, over: Partial<MonitorProgress> = {}): MonitorProgress => ({
  runId: 'run_aaaaaaaa0001' as RunId,
  nodeId: 'sum' as NodeId,
  attempt,
  ...over,
});

describe('appendProgress', () => {
  it('appends tokens and messages of one attempt, and keeps the last fraction', () => {
    let tail = appendProgress(undefined, p(1, { tokens: 'Hel', message: 'started', fraction: 0.1 }));
    tail = appendProgress(tail, p(1, { tokens: 'lo' }));
    expect(tail).toEqual({ attempt: 1, tokens: 'Hello', logs: ['started'], fraction: 0.1 });
  });

  it('starts the tokens afresh for a later attempt and keeps the logs', () => {
    let tail = appendProgress(undefined, p(1, { tokens: 'partial', message: 'try 1' }));
    tail = appendProgress(tail, p(2, { tokens: 'new', message: 'try 2' }));
    expect(tail).toEqual({ attempt: 2, tokens: 'new', logs: ['try 1', 'try 2'] });
  });

  it('keeps the tail of the tokens and the newest log lines within the limits', () => {
    let tail = appendProgress(undefined, p(1, { tokens: 'x'.repeat(MonitorLimits.maxTokensTail) }));
    tail = appendProgress(tail, p(1, { tokens: 'END' }));
    expect(tail.tokens).toHaveLength(MonitorLimits.maxTokensTail);
    expect(tail.tokens.endsWith('END')).toBe(true);
    for (let i = 0; i < MonitorLimits.maxLogLines + 5; i++)
      tail = appendProgress(tail, p(1, { message: `line ${i}` }));
    expect(tail.logs).toHaveLength(MonitorLimits.maxLogLines);
    expect(tail.logs.at(-1)).toBe(`line ${MonitorLimits.maxLogLines + 4}`);
  });
});

describe('mergeLiveSnapshot', () => {
  it('takes the snapshot when nothing was streamed yet', () => {
    expect(mergeLiveSnapshot(undefined, { logs: ['a'], tokens: 'abc', fraction: 0.5 })).toEqual({
      attempt: 0,
      logs: ['a'],
      tokens: 'abc',
      fraction: 0.5,
    });
  });

  it('counts text both hold once: the snapshot, then what came after it', () => {
    const streamed = { attempt: 1, logs: ['two', 'three'], tokens: 'lazy dog' };
    expect(
      mergeLiveSnapshot(streamed, { logs: ['one', 'two'], tokens: 'The quick brown fox, the lazy' }),
    ).toEqual({
      attempt: 1,
      logs: ['one', 'two', 'three'],
      tokens: 'The quick brown fox, the lazy dog',
    });
  });

  it('takes a snapshot that already holds everything streamed as it is', () => {
    const streamed = { attempt: 1, logs: ['two'], tokens: 'brown' };
    expect(
      mergeLiveSnapshot(streamed, { logs: ['one', 'two', 'three'], tokens: 'quick brown fox' }),
    ).toMatchObject({
      logs: ['one', 'two', 'three'],
      tokens: 'quick brown fox',
    });
  });

  it('appends streamed text the snapshot does not hold at all', () => {
    expect(mergeText('abc', 'xyz')).toBe('abcxyz');
    expect(mergeText('abc', '')).toBe('abc');
    expect(mergeText('', 'abc')).toBe('abc');
  });
});
