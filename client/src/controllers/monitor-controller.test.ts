// Tests of the board's monitor controller: it watches the workflow, asks for the details the run
// panel needs, starts runs and follows them, says why an action failed, and tells collaborators; and
// it shows the team's records of the workflow's runs from a real OFB beside the orchestrator's.
import { createServer } from 'node:net';
import { startTestOfb, type TestOfb, type TestUser } from '@symphony/ofb/testing';
import {
  type BoardRun,
  ErrorCategory,
  errorBody,
  MonitorErrorCode,
  type OfbRunRecord,
  type RunId,
  RunOptions,
  type RunSummary,
  type WorkflowId,
} from '@symphony/schemas';
import type { ReactiveController } from 'lit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BoardRunBody } from '../core/board-run.js';
import { MonitorApi, MonitorApiError } from '../monitor/monitor-api.js';
import { MonitorConnection, type MonitorSocketEvents, MonitorState } from '../monitor/monitor-connection.js';
import type { TeamRunSource } from '../monitor/team-runs.js';
import { OfbClient } from '../ofb/ofb-client.js';
import { SupabaseOfbTransport } from '../ofb/SupabaseOfbTransport.js';
import {
  DETAIL_TIMEOUT_MS,
  describeFailure,
  MonitorController,
  TEAM_REFRESH_DELAY_MS,
} from './monitor-controller.js';

const workflowId = 'wf0000000000000000001' as WorkflowId;
const runId = 'run_aaaaaaaa0001' as RunId;
const counts = {
  queued: 1,
  running: 0,
  retrying: 0,
  succeeded: 0,
  failed: 0,
  cached: 0,
  cancelled: 0,
  skipped: 0,
};
const summary: RunSummary = {
  runId,
  status: 'running',
  executedBy: 7,
  workflow: 'w',
  source: { kind: 'automerge', server: 's', workflowId, heads: ['h'] },
  startedAt: 1,
  nodes: 1,
  counts,
};
const detail = {
  run: {
    ...summary,
    options: RunOptions.parse({}),
    cancelRequested: false,
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0 },
    nodeStates: [{ nodeId: 'a', type: 'summarize', state: 'running', attempts: [] }],
  },
  live: { a: { logs: ['working'], tokens: 'abc' } },
  role: 'editor',
};

/** A host that counts its updates, with its controllers connected at once. */
class Host {
  updates = 0;
  controllers: ReactiveController[] = [];
  addController(c: ReactiveController): void {
    this.controllers.push(c);
  }
  removeController(): void {}
  requestUpdate(): void {
    this.updates++;
  }
  get updateComplete(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

type Answer = { status: number; body: unknown };

function setup(answer: (method: string, path: string) => Answer | Promise<Answer>, team?: TeamRunSource) {
  const sockets: { events: MonitorSocketEvents; sent: unknown[] }[] = [];
  const connection = new MonitorConnection({
    url: 'ws://127.0.0.1:4322/v1/live',
    token: () => 't',
    refreshToken: async () => 'refreshed',
    createSocket: (_url, events) => {
      const socket = { events, sent: [] as unknown[] };
      sockets.push(socket);
      return { send: (text) => socket.sent.push(JSON.parse(text)), close: () => {} };
    },
  });
  const calls: string[] = [];
  const api = new MonitorApi(
    'http://127.0.0.1:4322',
    () => 't',
    async (input, init) => {
      const url = new URL(String(input));
      const method = init?.method ?? 'GET';
      calls.push(`${method} ${url.pathname}${url.search}`);
      const { status, body } = await answer(method, url.pathname);
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    },
  );
  const host = new Host();
  const broadcasts: (BoardRunBody | null)[] = [];
  const controller = new MonitorController(host, { onRunChange: (run) => broadcasts.push(run) });
  const monitor = { api, connection };
  controller.attach(monitor, workflowId, team);
  for (const c of host.controllers) c.hostConnected?.();
  const socket = () => sockets.at(-1)!;
  const welcome = () => {
    socket().events.open();
    socket().events.message(
      JSON.stringify({
        type: 'welcome',
        user: { id: 'u', name: 'ada' },
        health: {
          service: 'symphony-orchestrator',
          version: '0',
          server: 's',
          isolation: 'full',
          running: 0,
        },
      }),
    );
  };
  const send = (message: unknown) => socket().events.message(JSON.stringify(message));
  return { controller, host, calls, broadcasts, socket, welcome, send, monitor };
}

describe('MonitorController', () => {
  it('watches the workflow, and fetches the detail of the running run it follows', async () => {
    const { controller, calls, socket, welcome, send } = setup(() => ({ status: 200, body: detail }));
    welcome();
    expect(socket().sent).toContainEqual({ type: 'watch', workflowId });
    send({ type: 'runs', workflowId, role: 'editor', runs: [summary] });
    expect(controller.runs?.selected).toBe(runId);
    await vi.waitFor(() => expect(controller.runs?.record(runId)?.detail).toBeDefined());
    expect(calls).toEqual([`GET /v1/runs/${runId}`]);
    expect(controller.runs?.nodeStates()?.get('a' as never)).toBe('running');
    expect(controller.runs?.record(runId)?.live.get('a' as never)).toMatchObject({
      tokens: 'abc',
      logs: ['working'],
    });
  });

  it('starts a run, follows it, and tells collaborators about it', async () => {
    const { controller, calls, broadcasts, welcome, send } = setup((method, path) =>
      method === 'POST' && path === '/v1/runs'
        ? { status: 200, body: { run: summary } }
        : { status: 200, body: detail },
    );
    welcome();
    send({ type: 'runs', workflowId, role: 'editor', runs: [] });
    await controller.start();
    expect(calls[0]).toBe('POST /v1/runs');
    expect(controller.runs?.selected).toBe(runId);
    await vi.waitFor(() => expect(broadcasts.at(-1)).toMatchObject({ runId, status: 'running' }));
    expect(controller.busy).toBeNull();
    expect(controller.notice).toBeNull();
  });

  it('says why the orchestrator refused to start, in the person’s words', async () => {
    const { controller, welcome } = setup(() => ({
      status: 422,
      body: errorBody(ErrorCategory.validation, MonitorErrorCode.workflowRefused, 'the workflow has errors', {
        findings: [{ message: 'summarize needs its text input' }],
      }),
    }));
    welcome();
    await controller.start();
    expect(controller.notice).toEqual({
      kind: 'error',
      text: 'The orchestrator did not run it: summarize needs its text input',
    });
    expect(controller.runs?.selected).toBeNull();
  });

  it('says what a cancel did', async () => {
    const { controller, welcome, send } = setup((method) =>
      method === 'POST' ? { status: 200, body: { outcome: 'finished' } } : { status: 200, body: detail },
    );
    welcome();
    send({ type: 'runs', workflowId, role: 'editor', runs: [summary] });
    await controller.cancel();
    expect(controller.notice?.text).toBe('Nothing to cancel: the run had already finished.');
  });

  it('forgets the workflow’s runs and tells collaborators it watches none when it leaves', () => {
    const { controller, host, broadcasts } = setup(() => ({ status: 200, body: detail }));
    for (const c of host.controllers) c.hostDisconnected?.();
    expect(controller.runs).toBeNull();
    expect(broadcasts.at(-1)).toBeNull();
  });
});

describe('MonitorController when the board moves to another workflow mid-action', () => {
  const otherWorkflow = 'wf0000000000000000002' as WorkflowId;
  /** An answer held until `release()`. */
  function held(answer: Answer) {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    return { answer: gate.then(() => answer), release: () => release() };
  }

  it('records a run started on one workflow on that one only, and shows nothing of it on the next', async () => {
    const post = held({ status: 200, body: { run: summary } });
    const { controller, broadcasts, welcome, send, monitor } = setup((method) =>
      method === 'POST' ? post.answer : { status: 200, body: detail },
    );
    welcome();
    send({ type: 'runs', workflowId, role: 'editor', runs: [] });
    const starting = controller.start();
    expect(controller.busy).toBe('start');
    controller.attach(monitor, otherWorkflow);
    send({ type: 'runs', workflowId: otherWorkflow, role: 'viewer', runs: [] });
    expect(controller.busy).toBeNull();
    post.release();
    await starting;
    expect(controller.runs?.workflowId).toBe(otherWorkflow);
    expect(controller.runs?.selected).toBeNull();
    expect(controller.runs?.list()).toEqual([]);
    expect(controller.runs?.role).toBe('viewer');
    expect(controller.busy).toBeNull();
    expect(broadcasts.at(-1)).toBeNull();
  });

  it('shows a failure or a cancel’s outcome only on the workflow it was for', async () => {
    const refused = held({
      status: 403,
      body: errorBody(ErrorCategory.permission, MonitorErrorCode.roleTooLow, 'viewer'),
    });
    const cancelled = held({ status: 200, body: { outcome: 'cancelled' } });
    const { controller, welcome, send, monitor } = setup((_method, path) =>
      path.endsWith('/cancel')
        ? cancelled.answer
        : path === '/v1/runs'
          ? refused.answer
          : { status: 200, body: detail },
    );
    welcome();
    send({ type: 'runs', workflowId, role: 'editor', runs: [summary] });
    const cancelling = controller.cancel();
    controller.attach(monitor, otherWorkflow);
    cancelled.release();
    await cancelling;
    expect(controller.notice).toBeNull();
    controller.attach(monitor, workflowId);
    send({ type: 'runs', workflowId, role: 'editor', runs: [] });
    const starting = controller.start();
    controller.attach(monitor, otherWorkflow);
    refused.release();
    await starting;
    expect(controller.notice).toBeNull();
  });
});

describe('MonitorController while nodes stream', () => {
  it('neither re-broadcasts nor asks for details on progress, and labels only runs nobody executes Interrupted', async () => {
    const { controller, broadcasts, welcome, send } = setup(() => ({ status: 200, body: detail }));
    welcome();
    const orphan = { ...summary, runId: 'run_aaaaaaaa0009' as RunId, executedBy: undefined, startedAt: 0 };
    send({ type: 'runs', workflowId, role: 'editor', runs: [orphan] });
    const live = 'run_aaaaaaaa0003' as RunId;
    send({
      type: 'events',
      workflowId,
      events: [
        {
          type: 'run.started',
          runId: live,
          at: 5,
          workflow: { name: 'w', nodes: {}, edges: {} },
          source: summary.source,
          options: RunOptions.parse({}),
        },
      ],
    });
    const sent = broadcasts.length;
    send({ type: 'progress', workflowId, progress: [{ runId: live, nodeId: 'a', attempt: 1, tokens: 'x' }] });
    expect(broadcasts).toHaveLength(sent);
    expect([...controller.interrupted]).toEqual([orphan.runId]);
    expect(controller.history.map((e) => e.runId)).toEqual([live, orphan.runId]);
  });
});

describe('MonitorController and a detail request that never answers', () => {
  it('gives it up after a while and asks again on the run’s next record', async () => {
    vi.useFakeTimers();
    try {
      const { controller, calls, welcome, send } = setup(() => new Promise<Answer>(() => {}));
      welcome();
      send({ type: 'runs', workflowId, role: 'editor', runs: [summary] });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(calls).toEqual([`GET /v1/runs/${runId}`]);
      await vi.advanceTimersByTimeAsync(DETAIL_TIMEOUT_MS);
      expect(controller.notice?.text).toMatch(/did not answer/);
      send({ type: 'runs', workflowId, role: 'editor', runs: [summary] });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(calls).toEqual([`GET /v1/runs/${runId}`, `GET /v1/runs/${runId}`]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('MonitorController after a refused watch', () => {
  it('asks for the runs again, later and later, until the orchestrator answers', () => {
    vi.useFakeTimers();
    try {
      const { controller, socket, welcome, send } = setup(() => ({ status: 200, body: detail }));
      welcome();
      const watches = () => socket().sent.filter((m) => (m as { type: string }).type === 'watch').length;
      expect(watches()).toBe(1);
      const refuse = () =>
        send({
          type: 'error',
          workflowId,
          code: 'not_found',
          message: 'the team server has no workflow wf1',
        });
      refuse();
      expect(controller.runs?.refusal?.code).toBe('not_found');
      vi.advanceTimersByTime(2_000);
      expect(watches()).toBe(2);
      refuse();
      vi.advanceTimersByTime(2_000);
      expect(watches()).toBe(2);
      vi.advanceTimersByTime(2_000);
      expect(watches()).toBe(3);
      send({ type: 'runs', workflowId, role: 'editor', runs: [] });
      expect(controller.runs?.refusal).toBeNull();
      vi.advanceTimersByTime(60_000);
      expect(watches()).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('describeFailure', () => {
  it('turns each refusal into words a person can act on', () => {
    const refused = (code: string, message = 'the orchestrator’s words') =>
      describeFailure(new MonitorApiError('refused', message, 403, code));
    expect(refused(MonitorErrorCode.roleTooLow)).toMatch(
      /watch this workflow’s runs, not start or stop them/,
    );
    expect(refused(MonitorErrorCode.invalidToken)).toMatch(/sign in again/);
    expect(refused(MonitorErrorCode.runFinished)).toBe('That run has already finished.');
    expect(refused('something_new', 'a new refusal')).toBe('a new refusal');
    expect(describeFailure(new MonitorApiError('unreachable', 'no orchestrator answers at …'))).toBe(
      'no orchestrator answers at …',
    );
    expect(describeFailure(new Error('boom'))).toBe('boom');
  });
});

describe('MonitorController and the team’s run history in OFB', () => {
  const HASH = 'cd'.repeat(32);
  const teamOnly = 'run_bbbbbbbb0002' as RunId;
  let ofb: TestOfb;
  let ada: TestUser;
  let eve: TestUser;
  beforeAll(async () => {
    ofb = await startTestOfb();
    ada = await ofb.signUp('Ada');
    eve = await ofb.signUp('Eve');
    const workspaceId = await ofb.createWorkspace(ada);
    await ofb.ok(
      'create-document',
      { workspaceId, id: workflowId, kind: 'workflow', title: 'Flow' },
      ada.token,
    );
    const recordOf = (id: RunId, startedAt: number) => ({
      workflowId,
      runId: id,
      status: 'succeeded',
      startedAt,
      finishedAt: startedAt + 900,
      heads: ['0123456789abcdef'],
      outputs: { a: { text: HASH } },
      nodes: 1,
      inputTokens: 40,
      outputTokens: 12,
      costUsd: 0.003,
    });
    // The orchestrator's own run (it knows it), and one that ran on another machine, later.
    await ofb.ok('record-run', recordOf(runId, 1), ada.token);
    await ofb.ok('record-run', recordOf(teamOnly, 5_000), ada.token);
  }, 60_000);
  afterAll(async () => {
    await ofb?.close();
  });

  const teamAs = (user: TestUser) => new OfbClient(new SupabaseOfbTransport(ofb.url), () => user.token);
  const entries = (controller: MonitorController) => controller.history.map((e) => [e.runId, e.source]);

  it('shows the team’s runs on a board with no orchestrator at all, each selectable read-only', async () => {
    const host = new Host();
    const controller = new MonitorController(host);
    controller.attach(undefined, workflowId, teamAs(ada));
    for (const c of host.controllers) c.hostConnected?.();
    await expect
      .poll(() => entries(controller))
      .toEqual([
        [teamOnly, 'team'],
        [runId, 'team'],
      ]);
    controller.select(teamOnly);
    expect(controller.selectedRecord).toMatchObject({
      runId: teamOnly,
      startedBy: { name: 'Ada' },
      outputs: { a: { text: HASH } },
    });
    expect(controller.runs).toBeNull();
    controller.select(null);
    expect(controller.selectedRecord).toBeNull();
  });

  it('marks the orchestrator’s run the team recorded, and shows a team-only run without asking the orchestrator', async () => {
    const { controller, calls, welcome, send } = setup(() => ({ status: 200, body: detail }), teamAs(ada));
    welcome();
    const { executedBy: _, ...rest } = summary;
    const finished: RunSummary = { ...rest, status: 'succeeded', finishedAt: 9 };
    send({ type: 'runs', workflowId, role: 'editor', runs: [finished] });
    await expect
      .poll(() => entries(controller))
      .toEqual([
        [teamOnly, 'team'],
        [runId, 'orchestrator'],
      ]);
    expect(controller.history[1]).toMatchObject({ source: 'orchestrator', recorded: true, run: finished });

    controller.select(teamOnly);
    expect(controller.selectedRecord?.runId).toBe(teamOnly);
    expect(controller.runs?.selected).toBeNull();
    // Nothing is asked of the orchestrator about it: it holds nothing of that run.
    expect(controller.runs?.record(teamOnly)).toBeUndefined();
    expect(controller.runs?.detailsWanted()).toEqual([]);
    expect(calls.filter((c) => c.includes(teamOnly))).toEqual([]);
    expect(controller.notice).toBeNull();

    // The orchestrator comes to know the run (its data came back): its live view takes over.
    send({
      type: 'runs',
      workflowId,
      role: 'editor',
      runs: [finished, { ...finished, runId: teamOnly, startedAt: 5_000 }],
    });
    expect(controller.runs?.selected).toBe(teamOnly);
    expect(controller.selectedRecord).toBeNull();
    expect(entries(controller)).toEqual([
      [teamOnly, 'orchestrator'],
      [runId, 'orchestrator'],
    ]);
  });

  it('says quietly why the team’s runs are missing, and still lists the orchestrator’s', async () => {
    const { controller, welcome, send } = setup(() => ({ status: 200, body: detail }), teamAs(eve));
    welcome();
    send({ type: 'runs', workflowId, role: 'editor', runs: [summary] });
    await expect
      .poll(() => controller.team?.error)
      .toBe('The team’s run history could not be loaded: you are not a member of this workflow’s workspace.');
    expect(entries(controller)).toEqual([[runId, 'orchestrator']]);
    expect(controller.notice).toBeNull();
  });

  it('shows the team’s runs while the orchestrator is down', async () => {
    // A port nothing listens on: the real WebSocket cannot connect.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const connection = new MonitorConnection({
      url: `ws://127.0.0.1:${port}/v1/live`,
      token: () => ada.token,
      refreshToken: async () => 'refreshed',
    });
    const api = new MonitorApi(`http://127.0.0.1:${port}`, () => ada.token);
    const host = new Host();
    const controller = new MonitorController(host);
    controller.attach({ api, connection }, workflowId, teamAs(ada));
    for (const c of host.controllers) c.hostConnected?.();
    try {
      await expect.poll(() => controller.status.state).toBe(MonitorState.unreachable);
      await expect
        .poll(() => entries(controller))
        .toEqual([
          [teamOnly, 'team'],
          [runId, 'team'],
        ]);
    } finally {
      for (const c of host.controllers) c.hostDisconnected?.();
      connection.close();
    }
  });
});

describe('MonitorController asks for the team’s records again', () => {
  /** A source that answers at once with no records, and counts the asks. */
  class CountingSource implements TeamRunSource {
    asks = 0;
    async listRuns(): Promise<readonly OfbRunRecord[]> {
      this.asks++;
      return [];
    }
  }
  const finishedEvent = { type: 'run.finished', runId, at: 5, status: 'succeeded' };

  it('1 s after a run of the workflow finishes, once however many finish meanwhile, and when asked', async () => {
    vi.useFakeTimers();
    try {
      const source = new CountingSource();
      const { controller, welcome, send } = setup(() => ({ status: 200, body: detail }), source);
      expect(source.asks).toBe(1);
      welcome();
      send({ type: 'events', workflowId, events: [finishedEvent] });
      send({ type: 'events', workflowId, events: [{ ...finishedEvent, runId: 'run_cccccccc0003' }] });
      await vi.advanceTimersByTimeAsync(TEAM_REFRESH_DELAY_MS - 1);
      expect(source.asks).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(source.asks).toBe(2);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(source.asks).toBe(2);
      controller.refreshTeamRuns();
      await vi.advanceTimersByTimeAsync(0);
      expect(source.asks).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('1 s after a collaborator’s broadcast run is seen to finish', async () => {
    vi.useFakeTimers();
    try {
      const source = new CountingSource();
      const { controller } = setup(() => ({ status: 200, body: detail }), source);
      const broadcast = (status: BoardRun['status']): BoardRun[] => [
        {
          type: 'board-run',
          user: { id: 'u-bob', name: 'Bob', color: '#d1453b' },
          runId: 'run_bobsbobs0001' as RunId,
          status,
          fraction: status === 'running' ? 0.5 : 1,
          states: {},
          at: 1,
        },
      ];
      const running = broadcast('running');
      controller.followRemoteRuns(running);
      controller.followRemoteRuns(running);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(source.asks).toBe(1);
      controller.followRemoteRuns(broadcast('succeeded'));
      controller.followRemoteRuns(broadcast('succeeded'));
      await vi.advanceTimersByTimeAsync(TEAM_REFRESH_DELAY_MS);
      expect(source.asks).toBe(2);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(source.asks).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
