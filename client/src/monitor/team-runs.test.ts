// Tests of the team's run history: the merge of the orchestrator's runs with OFB's records (newest
// first, a known run's record marks it, nothing doubled), and the loader against a real OFB (records,
// an unknown workflow, a stranger, no OFB at all) and a controlled one (asks made while one is on
// its way, answers after close).
import { startTestOfb, type TestOfb, type TestUser } from '@symphony/ofb/testing';
import type { OfbRunRecord, RunId, RunSummary, WorkflowId } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OfbClient } from '../ofb/ofb-client.js';
import { OfbRequestError, OfbUnreachableError } from '../ofb/ofb-errors.js';
import { SupabaseOfbTransport } from '../ofb/SupabaseOfbTransport.js';
import {
  HistorySource,
  mergeRunHistory,
  outputHashCount,
  shortHeads,
  type TeamRunSource,
  TeamRunsLoader,
  teamHistoryFailure,
} from './team-runs.js';

const workflowId = 'team-runs-flow' as WorkflowId;
const HASH = 'ab'.repeat(32);

function summary(runId: string, startedAt: number): RunSummary {
  return {
    runId: runId as RunId,
    status: 'succeeded',
    workflow: 'w',
    source: { kind: 'automerge', server: 's', workflowId, heads: ['h'] },
    startedAt,
    finishedAt: startedAt + 10,
    nodes: 1,
    counts: { succeeded: 1 },
  };
}

function record(runId: string, startedAt: number, fields: Partial<OfbRunRecord> = {}): OfbRunRecord {
  return {
    workflowId,
    runId: runId as RunId,
    status: 'succeeded',
    startedAt,
    finishedAt: startedAt + 10,
    heads: ['0123456789abcdef'],
    outputs: {},
    nodes: 1,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    workspaceId: 'ws',
    startedBy: { userId: 'u-bob', name: 'Bob' },
    recordedAt: startedAt + 20,
    ...fields,
  };
}

describe('mergeRunHistory', () => {
  it('lists the orchestrator’s runs and the team’s records of the others, newest first', () => {
    const history = mergeRunHistory(
      [summary('run_local0000002', 200), summary('run_local0000001', 50)],
      [record('run_other0000003', 300), record('run_other0000001', 100)],
    );
    expect(history.map((e) => [e.runId, e.source])).toEqual([
      ['run_other0000003', HistorySource.team],
      ['run_local0000002', HistorySource.orchestrator],
      ['run_other0000001', HistorySource.team],
      ['run_local0000001', HistorySource.orchestrator],
    ]);
  });

  it('keeps the live run when the team has its record too, and marks it recorded for the team', () => {
    const live = { ...summary('run_both00000001', 100), status: 'failed' as const };
    const history = mergeRunHistory(
      [live, summary('run_local0000001', 50)],
      [record('run_both00000001', 100, { status: 'succeeded', startedAt: 999 })],
    );
    expect(history).toEqual([
      { source: 'orchestrator', runId: 'run_both00000001', startedAt: 100, run: live, recorded: true },
      expect.objectContaining({ runId: 'run_local0000001', source: 'orchestrator', recorded: false }),
    ]);
  });

  it('shows a run recorded twice once, and orders runs started at the same moment by id', () => {
    const history = mergeRunHistory(
      [summary('run_aaaaaaaa0001', 100)],
      [record('run_bbbbbbbb0001', 100), record('run_bbbbbbbb0001', 100), record('run_cccccccc0001', 100)],
    );
    expect(history.map((e) => e.runId)).toEqual(['run_cccccccc0001', 'run_bbbbbbbb0001', 'run_aaaaaaaa0001']);
  });

  it('is empty with neither, and the team’s alone without an orchestrator', () => {
    expect(mergeRunHistory([], [])).toEqual([]);
    expect(mergeRunHistory([], [record('run_other0000001', 1)])).toEqual([
      expect.objectContaining({
        source: 'team',
        record: expect.objectContaining({ runId: 'run_other0000001' }),
      }),
    ]);
  });
});

describe('a record in short', () => {
  it('counts output hashes over every node, and shortens the pinned heads', () => {
    expect(
      outputHashCount({
        outputs: { a: { x: HASH as never, y: HASH as never }, b: {}, c: { z: HASH as never } },
      }),
    ).toBe(3);
    expect(outputHashCount({ outputs: {} })).toBe(0);
    expect(shortHeads(['0123456789abcdef'])).toBe('01234567');
    expect(shortHeads(['0123456789abcdef', 'fedcba9876543210', 'aa'])).toBe('01234567+2');
    expect(shortHeads([])).toBeNull();
  });
});

describe('teamHistoryFailure', () => {
  it('says why the team’s history is missing in words for the person', () => {
    expect(teamHistoryFailure(new OfbUnreachableError('OFB could not be reached (list-runs)'))).toBe(
      'The team’s run history could not be loaded: the team server could not be reached.',
    );
    expect(
      teamHistoryFailure(new OfbRequestError(401, 'auth', 'token_expired', 'the token has expired')),
    ).toBe(
      'The team’s run history could not be loaded: the team server did not accept your sign-in; sign in again.',
    );
    expect(
      teamHistoryFailure(new OfbRequestError(403, 'forbidden', 'not_a_member', 'read is not allowed')),
    ).toBe('The team’s run history could not be loaded: you are not a member of this workflow’s workspace.');
    expect(teamHistoryFailure(new OfbRequestError(500, 'internal', 'internal', 'the server failed.'))).toBe(
      'The team’s run history could not be loaded: the server failed.',
    );
  });
});

/** A source whose answers the test gives, one ask at a time. */
class ControlledSource implements TeamRunSource {
  readonly asks: { resolve: (r: OfbRunRecord[]) => void; reject: (e: unknown) => void }[] = [];
  listRuns(): Promise<readonly OfbRunRecord[]> {
    return new Promise((resolve, reject) => this.asks.push({ resolve, reject }));
  }
}

describe('TeamRunsLoader', () => {
  it('asks once more after the answer on its way when asked meanwhile, and keeps records through a failure', async () => {
    const source = new ControlledSource();
    let changes = 0;
    const loader = new TeamRunsLoader(source, workflowId, () => changes++);
    loader.refresh();
    loader.refresh();
    loader.refresh();
    expect(source.asks).toHaveLength(1);
    expect(loader.loading).toBe(true);
    source.asks[0]?.resolve([record('run_other0000001', 1)]);
    await expect.poll(() => source.asks.length).toBe(2);
    expect(loader.records.map((r) => r.runId)).toEqual(['run_other0000001']);
    expect(loader.loaded).toBe(true);
    source.asks[1]?.reject(new OfbUnreachableError('offline'));
    await expect
      .poll(() => loader.error)
      .toBe('The team’s run history could not be loaded: the team server could not be reached.');
    expect(loader.loading).toBe(false);
    expect(loader.records.map((r) => r.runId)).toEqual(['run_other0000001']);
    expect(source.asks).toHaveLength(2);
    expect(changes).toBeGreaterThan(0);
  });

  it('drops an answer that comes after close, and asks nothing more', async () => {
    const source = new ControlledSource();
    const loader = new TeamRunsLoader(source, workflowId, () => {});
    loader.refresh();
    loader.refresh();
    loader.close();
    source.asks[0]?.resolve([record('run_other0000001', 1)]);
    await Promise.resolve();
    await Promise.resolve();
    expect(loader.records).toEqual([]);
    loader.refresh();
    expect(source.asks).toHaveLength(1);
  });
});

describe('TeamRunsLoader against a real OFB', () => {
  let ofb: TestOfb;
  let owner: TestUser;
  let stranger: TestUser;
  let flow: WorkflowId;
  beforeAll(async () => {
    ofb = await startTestOfb();
    owner = await ofb.signUp('Bob');
    stranger = await ofb.signUp('Eve');
    const workspaceId = await ofb.createWorkspace(owner);
    const { document } = await ofb.ok(
      'create-document',
      { workspaceId, id: 'loader-flow', kind: 'workflow', title: 'Flow' },
      owner.token,
    );
    flow = document.id as WorkflowId;
    await ofb.ok(
      'record-run',
      {
        workflowId: flow,
        runId: 'run_bobs00000001',
        status: 'succeeded',
        startedAt: 1_700_000_000_000,
        finishedAt: 1_700_000_004_200,
        heads: ['0123456789abcdef'],
        outputs: { read: { document: HASH } },
        nodes: 2,
        inputTokens: 120,
        outputTokens: 30,
        costUsd: 0.0042,
      },
      owner.token,
    );
  }, 60_000);
  afterAll(async () => {
    await ofb?.close();
  });

  const load = async (user: TestUser, id: WorkflowId, url = ofb.url) => {
    const loader = new TeamRunsLoader(
      new OfbClient(new SupabaseOfbTransport(url), () => user.token),
      id,
      () => {},
    );
    loader.refresh();
    await expect.poll(() => loader.loading).toBe(false);
    return loader;
  };

  it('loads the team’s records of the workflow', async () => {
    const loader = await load(owner, flow);
    expect(loader.error).toBeNull();
    expect(loader.records).toEqual([
      expect.objectContaining({
        runId: 'run_bobs00000001',
        startedBy: expect.objectContaining({ name: 'Bob' }),
        outputs: { read: { document: HASH } },
      }),
    ]);
  });

  it('has no records of a workflow the team server does not know yet, and says nothing went wrong', async () => {
    const loader = await load(owner, 'not-registered-yet' as WorkflowId);
    expect(loader.loaded).toBe(true);
    expect(loader.records).toEqual([]);
    expect(loader.error).toBeNull();
  });

  it('says so when the person may not read the workflow, or OFB is not there', async () => {
    const refused = await load(stranger, flow);
    expect(refused.records).toEqual([]);
    expect(refused.error).toBe(
      'The team’s run history could not be loaded: you are not a member of this workflow’s workspace.',
    );
    const closed = await startTestOfb();
    const url = closed.url;
    await closed.close();
    const unreachable = await load(owner, flow, url);
    expect(unreachable.error).toBe(
      'The team’s run history could not be loaded: the team server could not be reached.',
    );
  });
});
