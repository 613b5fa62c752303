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

  it('counts a long overlap once: a page that streamed from the start holds all the snapshot does', () => {
    let seed = 7;
    const letters = Array.from({ length: 8_000 }, () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return String.fromCharCode(97 + (seed % 26));
    }).join('');
    const streamed = { attempt: 1, logs: [], tokens: `${letters} and more` };
    const merged = mergeLiveSnapshot(streamed, { logs: [], tokens: letters }, 1);
    expect(merged.tokens).toBe(streamed.tokens);
    expect(mergeLiveSnapshot(merged, { logs: [], tokens: letters }, 1).tokens).toBe(streamed.tokens);
  });

  it('keeps a snapshot’s text when the stream goes on after it', () => {
    const snap = mergeLiveSnapshot(undefined, { logs: [], tokens: 'Hello, ', fraction: 0.4 }, 1);
    expect(snap.attempt).toBe(1);
    const tail = appendProgress(snap, p(1, { tokens: 'world' }));
    expect(tail).toMatchObject({ attempt: 1, tokens: 'Hello, world', fraction: 0.4 });
    // A snapshot of a node with no attempt yet: the first attempt's stream goes on from it too.
    const unknown = mergeLiveSnapshot(undefined, { logs: [], tokens: 'Hi' });
    expect(appendProgress(unknown, p(1, { tokens: ' there' })).tokens).toBe('Hi there');
  });

  it('lets a newer attempt’s snapshot replace an older attempt’s stream, and not the reverse', () => {
    const older = { attempt: 1, logs: [], tokens: 'first try' };
    expect(mergeLiveSnapshot(older, { logs: [], tokens: 'second' }, 2)).toMatchObject({
      attempt: 2,
      tokens: 'second',
    });
    const newer = { attempt: 2, logs: [], tokens: 'second' };
    expect(mergeLiveSnapshot(newer, { logs: [], tokens: 'first try' }, 1).tokens).toBe('second');
  });

  it('counts the longest end of the earlier text the later begins with once', () => {
    expect(mergeText('abcabcab', 'abcabd')).toBe('abcabcabd');
    expect(mergeText('aaaa', 'aaab')).toBe('aaaab');
    expect(mergeText('xyzabc', 'bc')).toBe('xyzabc');
    expect(mergeText('the end', 'end of it')).toBe('the end of it');
  });
});
