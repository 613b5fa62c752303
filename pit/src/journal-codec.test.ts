// The journal codec: a workflow parsed with PinnedWorkflow is taken once without a second parse,
// and every other run.started (or a pinned one taken before) is parsed in full.
import { type RunEvent, type RunId, Workflow } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { PitInputError } from './errors.js';
import { PinnedWorkflow, parseEvents } from './journal-codec.js';

const runId = 'run_codec0000001' as RunId;
const raw = {
  name: 'pinned',
  nodes: { a: { type: 'split-text', kind: 'operator', params: {}, position: { x: 0, y: 0 } } },
  edges: {},
};

function started(workflow: unknown, id: RunId = runId): RunEvent {
  return {
    type: 'run.started',
    runId: id,
    at: 1,
    workflow,
    source: { kind: 'file', path: 'w.json', hash: '0'.repeat(64) },
    options: { cache: true, grants: [] },
  } as unknown as RunEvent;
}

describe('parseEvents with a pinned workflow', () => {
  it('takes the pinned object as it is, once, and checks every other field', () => {
    const pinned = PinnedWorkflow.parse(raw);
    expect(pinned).toEqual(Workflow.parse(raw));
    const [event] = parseEvents('test', [started(pinned)]);
    expect((event as Extract<RunEvent, { type: 'run.started' }>).workflow).toBe(pinned);
    const other = PinnedWorkflow.parse(raw);
    expect(() => parseEvents('test', [started(other, 'not a run id' as RunId)])).toThrow(PitInputError);
  });

  it('parses a pinned workflow in full once a record has taken it, so later changes are caught', () => {
    const pinned = PinnedWorkflow.parse(raw);
    parseEvents('test', [started(pinned)]);
    (pinned.nodes as Record<string, { kind: string }>).a!.kind = 'not a kind';
    expect(() => parseEvents('test', [started(pinned, 'run_codec0000002' as RunId)])).toThrow(PitInputError);
  });

  it('parses a workflow that was never pinned in full', () => {
    const unparsed = structuredClone(raw);
    const [event] = parseEvents('test', [started(unparsed)]);
    expect((event as Extract<RunEvent, { type: 'run.started' }>).workflow).not.toBe(unparsed);
    expect(() =>
      parseEvents('test', [started({ ...raw, nodes: { a: { ...raw.nodes.a, kind: 'x' } } })]),
    ).toThrow(PitInputError);
  });
});
