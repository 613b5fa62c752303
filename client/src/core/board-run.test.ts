// Tests of RemoteRuns (the runs other boards watch, newest per run, expired when silent) and
// boardRunFrom (the body a watching board broadcasts).
import { BoardRun, type NodeId, type NodeState, type RunId } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { BoardPresence } from './board-presence.js';
import {
  type BoardRunBody,
  boardRunFrom,
  FINISHED_RUN_KEEP_MS,
  RemoteRuns,
  RUN_TIMEOUT_MS,
  RunBroadcast,
} from './board-run.js';

const RUN_A = 'run_aaaaaaaaaaaaaaaaaaaa';
const RUN_B = 'run_bbbbbbbbbbbbbbbbbbbb';

/** A run message as the sync-server relays it (user stamped). */
function run(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'board-run',
    user: { id: 'u-ada', name: 'Ada Lovelace', color: '#1e6fd9' },
    runId: RUN_A,
    status: 'running',
    fraction: 0.5,
    states: { n1: 'succeeded', n2: 'running' },
    at: 1_000,
    ...overrides,
  };
}

describe('RemoteRuns', () => {
  it('keeps the newest message per run and ignores an older one that arrives late', () => {
    const runs = new RemoteRuns();
    expect(runs.receive('peer-ada', run({ at: 2_000, fraction: 0.75 }), 0)).toBe(true);
    expect(runs.receive('peer-ada', run({ at: 1_000, fraction: 0.25 }), 10)).toBe(false);
    expect(runs.receive('peer-ada', run({ at: 2_000, fraction: 0.1 }), 10)).toBe(false);
    expect(runs.latest()).toMatchObject({ runId: RUN_A, fraction: 0.75, at: 2_000 });
    expect(runs.receive('peer-ada', run({ at: 3_000, status: 'succeeded', fraction: 1 }), 20)).toBe(true);
    expect(runs.list()).toHaveLength(1);
    expect(runs.latest()).toMatchObject({ status: 'succeeded', fraction: 1 });
  });

  it('says a heartbeat that repeats the picture changed nothing, yet keeps the run alive', () => {
    const runs = new RemoteRuns();
    runs.receive('peer-ada', run({ at: 1 }), 0);
    expect(runs.receive('peer-ada', run({ at: 2 }), RUN_TIMEOUT_MS)).toBe(false);
    expect(runs.expire(RUN_TIMEOUT_MS + 1)).toBe(false);
    expect(runs.latest()?.at).toBe(2);
    expect(runs.receive('peer-ada', run({ at: 3, states: { n1: 'succeeded', n2: 'failed' } }), 1)).toBe(true);
  });

  it('lists runs newest first', () => {
    const runs = new RemoteRuns();
    runs.receive('peer-ada', run({ runId: RUN_A }), 0);
    runs.receive('peer-bob', run({ runId: RUN_B, user: { name: 'Bob', color: '#2e8b57' } }), 5);
    runs.receive('peer-ada', run({ runId: RUN_A, at: 9_000, fraction: 0.9 }), 10);
    expect(runs.list().map((r) => r.runId)).toEqual([RUN_B, RUN_A]);
    expect(runs.latest()?.user.name).toBe('Bob');
    expect(runs.list()).toBe(runs.list());
  });

  it('drops a running run not heard from within the timeout', () => {
    const runs = new RemoteRuns();
    runs.receive('peer-ada', run(), 0);
    expect(runs.expire(RUN_TIMEOUT_MS)).toBe(false);
    expect(runs.list()).toHaveLength(1);
    expect(runs.expire(RUN_TIMEOUT_MS + 1)).toBe(true);
    expect(runs.list()).toEqual([]);
    expect(runs.latest()).toBeUndefined();
  });

  it('keeps a finished run for a while after its last message, then drops it', () => {
    const runs = new RemoteRuns();
    runs.receive('peer-ada', run({ status: 'failed', states: { n1: 'failed' } }), 0);
    expect(runs.expire(RUN_TIMEOUT_MS + 1)).toBe(false);
    expect(runs.expire(FINISHED_RUN_KEEP_MS)).toBe(false);
    expect(runs.latest()?.status).toBe('failed');
    expect(runs.expire(FINISHED_RUN_KEEP_MS + 1)).toBe(true);
    expect(runs.list()).toEqual([]);
  });

  it('ignores every message that is not a valid run: presence, leaves, hostile or broken runs', () => {
    const runs = new RemoteRuns();
    const ignored: unknown[] = [
      {
        type: 'board-presence',
        user: { name: 'Ada', color: '#1e6fd9' },
        selection: [],
        pointer: null,
        dragging: [],
      },
      { type: 'board-leave' },
      'board-run',
      null,
      run({ runId: '../etc/passwd' }),
      run({ status: 'queued' }),
      run({ fraction: Number.NaN }),
      run({ fraction: 1.5 }),
      run({ states: ['running'] }),
      run({ states: { n1: 'exploded' } }),
      run({ states: { '<script>': 'running' } }),
      run({ states: Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`n${i}`, 'running'])) }),
      run({ user: { name: 'Eve', color: 'red;position:fixed;inset:0' } }),
      run({ at: -1 }),
    ];
    for (const message of ignored)
      expect(runs.receive('peer-eve', message, 0), JSON.stringify(message)).toBe(false);
    expect(runs.list()).toEqual([]);
  });

  it('keeps at most the given number of runs, dropping the least recently heard', () => {
    const runs = new RemoteRuns({
      timeoutMs: RUN_TIMEOUT_MS,
      finishedKeepMs: FINISHED_RUN_KEEP_MS,
      maxRuns: 2,
    });
    const ids = ['run_11111111', 'run_22222222', 'run_33333333'];
    runs.receive('p', run({ runId: ids[0] }), 0);
    runs.receive('p', run({ runId: ids[1] }), 1);
    runs.receive('p', run({ runId: ids[0], at: 2_000, fraction: 0.6 }), 2);
    runs.receive('p', run({ runId: ids[2] }), 3);
    expect(runs.list().map((r) => r.runId)).toEqual([ids[2], ids[0]]);
  });

  it('forgets everything on clear', () => {
    const runs = new RemoteRuns();
    expect(runs.clear()).toBe(false);
    runs.receive('peer-ada', run(), 0);
    expect(runs.clear()).toBe(true);
    expect(runs.list()).toEqual([]);
  });

  it('is not presence, and presence is not a run', () => {
    const presence = new BoardPresence();
    const runs = new RemoteRuns();
    expect(presence.receive('peer-ada', run(), 0)).toBe(false);
    expect(presence.list()).toEqual([]);
    const hello = {
      type: 'board-presence',
      user: { name: 'Ada', color: '#1e6fd9' },
      selection: [],
      pointer: null,
      dragging: [],
    };
    expect(runs.receive('peer-ada', hello, 0)).toBe(false);
    expect(presence.receive('peer-ada', hello, 0)).toBe(true);
  });
});

describe('boardRunFrom', () => {
  const states = (record: Record<string, NodeState>) => record as Record<NodeId, NodeState>;
  const runId = RUN_A as RunId;

  it('leaves queued nodes out and keeps every other state', () => {
    const body = boardRunFrom({
      runId,
      status: 'running',
      fraction: 0.4,
      states: states({ a: 'queued', b: 'running', c: 'succeeded', d: 'cached', e: 'queued', f: 'retrying' }),
    });
    expect(body).toEqual({
      runId,
      status: 'running',
      fraction: 0.4,
      states: { b: 'running', c: 'succeeded', d: 'cached', f: 'retrying' },
    });
  });

  it('always builds a message that parses as a BoardRun, whatever the fraction', () => {
    const user = { name: 'Ada', color: '#1e6fd9' };
    for (const [fraction, expected] of [
      [Number.NaN, 0],
      [Number.POSITIVE_INFINITY, 0],
      [-0.5, 0],
      [1.25, 1],
      [0.5, 0.5],
    ] as const) {
      const body = boardRunFrom({ runId, status: 'succeeded', fraction, states: states({ a: 'succeeded' }) });
      expect(body.fraction).toBe(expected);
      expect(BoardRun.safeParse({ type: 'board-run', user, ...body, at: 1 }).success).toBe(true);
    }
  });
});

describe('RunBroadcast', () => {
  const body = (overrides: Partial<Record<keyof BoardRunBody, unknown>> = {}): BoardRunBody =>
    ({
      runId: RUN_A,
      status: 'running',
      fraction: 0.5,
      states: { n1: 'succeeded', n2: 'running' },
      ...overrides,
    }) as BoardRunBody;

  it('sends a running run throttled, a new picture again, a repeated one not at all', () => {
    const broadcast = new RunBroadcast();
    expect(broadcast.watch(body())).toBe('throttled');
    expect(broadcast.take()).toEqual(body());
    expect(broadcast.watch(body())).toBeNull();
    expect(broadcast.watch(body({ states: { n1: 'succeeded', n2: 'succeeded' } }))).toBe('throttled');
    expect(broadcast.running).toBe(true);
  });

  it('sends the last word on a run that ran here at once, and only once', () => {
    const broadcast = new RunBroadcast();
    broadcast.watch(body());
    broadcast.take();
    const done = body({ status: 'succeeded', fraction: 1, states: { n1: 'succeeded', n2: 'succeeded' } });
    expect(broadcast.watch(done)).toBe('now');
    expect(broadcast.take()).toEqual(done);
    expect(broadcast.running).toBe(false);
    expect(broadcast.watch(done)).toBeNull();
  });

  it('does not announce a run that was already over when this board first saw it', () => {
    const broadcast = new RunBroadcast();
    expect(broadcast.watch(body({ status: 'failed' }))).toBeNull();
    broadcast.watch(body());
    broadcast.take();
    expect(broadcast.watch(body({ runId: RUN_B, status: 'cancelled' }))).toBeNull();
  });

  it('stops heartbeats when the board watches no run, and forgets everything on reset', () => {
    const broadcast = new RunBroadcast();
    broadcast.watch(body());
    broadcast.take();
    expect(broadcast.watch(null)).toBeNull();
    expect(broadcast.running).toBe(false);
    expect(broadcast.take()).toBeNull();
    broadcast.watch(body());
    broadcast.reset();
    expect(broadcast.running).toBe(false);
    expect(broadcast.watch(body({ status: 'succeeded' }))).toBeNull();
  });
});
