// Tests of OfbClient.listRuns against a real OFB (over HTTP, through the browser's transport): the
// team's records of a workflow's runs newest first, a limit, refusals in OFB's words, and an answer
// of the wrong shape refused.
import { startTestOfb, type TestOfb, type TestUser } from '@symphony/ofb/testing';
import { MAX_RUN_RECORDS_LISTED, OfbErrorCode, type WorkflowId } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OfbTransport } from './OfbTransport.js';
import { OfbClient } from './ofb-client.js';
import { OfbRequestError } from './ofb-errors.js';
import { SupabaseOfbTransport } from './SupabaseOfbTransport.js';

const HASH = 'ab'.repeat(32);
let ofb: TestOfb;
let editor: TestUser;
let outsider: TestUser;
let workflowId: WorkflowId;

/** A finished run's `record-run` body. */
function recordBody(runId: string, startedAt: number, fields: Record<string, unknown> = {}) {
  return {
    workflowId,
    runId,
    status: 'succeeded',
    startedAt,
    finishedAt: startedAt + 1500,
    heads: ['a1b2c3d4e5f6'],
    outputs: { read: { document: HASH } },
    nodes: 2,
    inputTokens: 10,
    outputTokens: 5,
    costUsd: 0.002,
    ...fields,
  };
}

beforeAll(async () => {
  ofb = await startTestOfb();
  editor = await ofb.signUp('Ada');
  outsider = await ofb.signUp('Eve');
  const workspaceId = await ofb.createWorkspace(editor);
  const { document } = await ofb.ok(
    'create-document',
    { workspaceId, id: 'client-runs-flow', kind: 'workflow', title: 'Flow' },
    editor.token,
  );
  workflowId = document.id as WorkflowId;
  await ofb.ok('record-run', recordBody('run_older0000001', 1_700_000_000_000), editor.token);
  await ofb.ok(
    'record-run',
    recordBody('run_newer0000001', 1_700_000_100_000, { status: 'failed', rerunOf: 'run_older0000001' }),
    editor.token,
  );
}, 60_000);
afterAll(async () => {
  await ofb?.close();
});

const clientAs = (user: TestUser | null) =>
  new OfbClient(new SupabaseOfbTransport(ofb.url), () => user?.token ?? null);

describe('OfbClient.listRuns', () => {
  it('answers the team’s records of the workflow’s runs, newest first, each with who started it', async () => {
    const runs = await clientAs(editor).listRuns(workflowId);
    expect(runs.map((r) => r.runId)).toEqual(['run_newer0000001', 'run_older0000001']);
    expect(runs[0]).toMatchObject({
      status: 'failed',
      rerunOf: 'run_older0000001',
      startedBy: { userId: editor.id, name: 'Ada' },
      outputs: { read: { document: HASH } },
      costUsd: 0.002,
    });
  });

  it('answers at most `limit` records', async () => {
    const runs = await clientAs(editor).listRuns(workflowId, 1);
    expect(runs.map((r) => r.runId)).toEqual(['run_newer0000001']);
  });

  it('refuses a limit OFB would refuse before asking, naming the limit', async () => {
    const sent: string[] = [];
    const counting: OfbTransport = {
      invoke: async (name) => {
        sent.push(name);
        return { runs: [] };
      },
    };
    const client = new OfbClient(counting, () => 't');
    await expect(client.listRuns(workflowId, MAX_RUN_RECORDS_LISTED + 1)).rejects.toThrow(
      /^OfbClient\.listRuns: limit: .*<=200/,
    );
    await expect(client.listRuns(workflowId, 0)).rejects.toThrow(/^OfbClient\.listRuns: limit: .*>=1/);
    await expect(client.listRuns('not an id' as WorkflowId)).rejects.toThrow(
      /^OfbClient\.listRuns: workflowId: /,
    );
    expect(sent).toEqual([]);
  });

  it('passes on OFB’s refusal of a stranger, of an unknown workflow and of no sign-in', async () => {
    const stranger = await clientAs(outsider)
      .listRuns(workflowId)
      .catch((e: unknown) => e);
    expect(stranger).toBeInstanceOf(OfbRequestError);
    expect((stranger as OfbRequestError).status).toBe(403);

    const unknown = await clientAs(editor)
      .listRuns('no-such-flow' as WorkflowId)
      .catch((e: unknown) => e);
    expect(unknown).toMatchObject({ status: 404, code: OfbErrorCode.documentNotFound });

    const signedOut = await clientAs(null)
      .listRuns(workflowId)
      .catch((e: unknown) => e);
    expect((signedOut as OfbRequestError).isAuth).toBe(true);
  });

  it('refuses an answer of another shape with a clear error', async () => {
    const odd: OfbTransport = { invoke: async () => ({ runs: [{ runId: 'not a run id' }] }) };
    const failure = await new OfbClient(odd, () => 't').listRuns(workflowId).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OfbRequestError);
    expect(failure).toMatchObject({
      code: 'bad_response',
      message: "OFB's answer to list-runs has an unexpected shape",
    });
  });
});
