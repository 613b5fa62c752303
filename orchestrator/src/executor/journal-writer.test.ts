// The journal writer: records of one turn go in one call, one call in flight, a failure stops it.
import type { DagTracker } from '@symphony/pit';
import type { NodeId, RunEvent, RunId } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { JournalWriter } from './journal-writer.js';

const runId = 'run_writer000001' as RunId;
const event = (n: number): RunEvent => ({
  type: 'node.running',
  runId,
  at: n,
  nodeId: `n${n}` as NodeId,
  attempt: 1,
});

function fakeTracker() {
  const calls: RunEvent[][] = [];
  const pending: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  const tracker = {
    record: (...events: RunEvent[]) => {
      calls.push(events);
      return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
    },
  } as unknown as DagTracker;
  return { tracker, calls, pending };
}

describe('JournalWriter', () => {
  it('puts the records of one turn in one call, and what arrives during a call in the next one', async () => {
    const { tracker, calls, pending } = fakeTracker();
    const writer = new JournalWriter(tracker);
    const first = [writer.append(event(1)), writer.append(event(2))];
    await Promise.resolve();
    expect(calls).toEqual([[event(1), event(2)]]);
    const second = [writer.append(event(3)), writer.append(event(4))];
    await Promise.resolve();
    expect(calls).toHaveLength(1);
    let firstDone = false;
    void Promise.all(first).then(() => {
      firstDone = true;
    });
    pending[0]!.resolve();
    await Promise.all(first);
    expect(firstDone).toBe(true);
    expect(calls).toEqual([
      [event(1), event(2)],
      [event(3), event(4)],
    ]);
    pending[1]!.resolve();
    await Promise.all(second);
    await writer.settled();
  });

  it('after a failed call rejects everything pending and every later append with the same error', async () => {
    const { tracker, pending } = fakeTracker();
    const writer = new JournalWriter(tracker);
    const a = writer.append(event(1));
    await Promise.resolve();
    const b = writer.append(event(2));
    const disk = new Error('ENOSPC');
    pending[0]!.reject(disk);
    await expect(a).rejects.toBe(disk);
    await expect(b).rejects.toBe(disk);
    await expect(writer.append(event(3))).rejects.toBe(disk);
    await expect(writer.settled()).rejects.toBe(disk);
    expect(writer.failure).toBe(disk);
  });
});
