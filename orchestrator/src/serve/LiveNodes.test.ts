import { MonitorLimits, type NodeId, type RunId } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { LiveNodes } from './LiveNodes.js';

const run = 'run_live000001' as RunId;
const node = 'n1' as NodeId;

describe('LiveNodes', () => {
  it('keeps the last log lines, the token tail of the latest attempt, and the fraction', () => {
    const live = new LiveNodes();
    for (let i = 0; i < MonitorLimits.maxLogLines + 5; i++) {
      live.add({ runId: run, nodeId: node, attempt: 1, progress: { message: `line ${i}` } });
    }
    live.add({
      runId: run,
      nodeId: node,
      attempt: 1,
      progress: { tokens: 'x'.repeat(MonitorLimits.maxTokensTail) },
    });
    live.add({ runId: run, nodeId: node, attempt: 1, progress: { tokens: 'end', fraction: 1.5 } });
    const first = live.of(run)[node]!;
    expect(first.logs).toHaveLength(MonitorLimits.maxLogLines);
    expect(first.logs[0]).toBe('line 5');
    expect(first.tokens).toHaveLength(MonitorLimits.maxTokensTail);
    expect(first.tokens.endsWith('end')).toBe(true);
    expect(first.fraction).toBe(1);

    live.add({ runId: run, nodeId: node, attempt: 2, progress: { message: 'again', tokens: 'new' } });
    const second = live.of(run)[node]!;
    expect(second.tokens).toBe('new');
    expect(second.fraction).toBeUndefined();
    expect(second.logs.at(-1)).toBe('(attempt 2) again');
  });

  it('answers nothing for a run it never heard of, and forgets the least recently updated runs', () => {
    const live = new LiveNodes();
    expect(live.of(run)).toEqual({});
    for (let i = 0; i < 65; i++) {
      live.add({
        runId: `run_live${String(i).padStart(6, '0')}` as RunId,
        nodeId: node,
        attempt: 1,
        progress: { message: 'm' },
      });
    }
    expect(live.of('run_live000000' as RunId)).toEqual({});
    expect(live.of('run_live000064' as RunId)[node]?.logs).toEqual(['m']);
  });
});
