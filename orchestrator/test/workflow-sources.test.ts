// Tests of workflows loaded from a real sync-server's /automerge endpoint by a stock automerge-repo
// client: pinned to their heads, unaffected by co-edits after loading, refused with named errors.
import { next as A } from '@automerge/automerge';
import { type DocHandle, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { instantiateTemplate, type Workflow, type WorkflowId, WorkflowTemplates } from '@symphony/schemas';
import { ResourceKind, type SyncServer } from '@symphony/sync-server';
import { serverHas } from '@symphony/sync-server/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrchestratorInputError } from '../src/executor/errors.js';
import { loadWorkflowFromServer } from '../src/sources/automerge-workflow.js';
import { loadWorkflowAt } from '../src/sources/load-workflow.js';
import { WorkflowSourceError, WorkflowSourceErrorCode } from '../src/sources/WorkflowSourceError.js';
import { startTeamServer, type TableAccess, Tokens } from './team-server.js';

let server: SyncServer;
let access: TableAccess;
const repos: Repo[] = [];

beforeEach(async () => {
  ({ server, access } = await startTeamServer());
});
afterEach(async () => {
  for (const repo of repos.splice(0)) await repo.shutdown();
  await server.close();
});

/** A stock automerge-repo client of the test server, as a board would be, with the editor's token. */
function board(): Repo {
  const adapter = new WebSocketClientAdapter(
    `ws://127.0.0.1:${server.port}/automerge?token=${encodeURIComponent(Tokens.editor)}`,
    200,
  );
  const repo = new Repo({ network: [adapter] });
  repos.push(repo);
  return repo;
}

/**
 * A document made offline, shared in the access table under its automerge id, then imported into
 * a board's networked repo and stored by the server: what "a workflow on the team server" is.
 */
async function shared<T>(initial: T, kind: ResourceKind = ResourceKind.workflow): Promise<DocHandle<T>> {
  const draft = new Repo({ network: [] }).create<T>(initial);
  access.share(draft.documentId, kind);
  const repo = board();
  const handle = repo.import<T>(A.save(draft.doc()), { docId: draft.documentId });
  await serverHas(repo, handle);
  return handle;
}

async function refusal(promise: Promise<unknown>): Promise<WorkflowSourceError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the load to be refused');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowSourceError);
  return error as WorkflowSourceError;
}

const template = () => instantiateTemplate(WorkflowTemplates[0]!, 'Summarize notes');

describe('loadWorkflowFromServer', () => {
  it('pins the workflow to its heads: co-edits after loading change neither it nor its pin', async () => {
    const handle = await shared<Workflow>(template());
    handle.change((w) => {
      w.name = 'Latest before the run';
    });
    await serverHas(repos[0]!, handle);
    const workflowId = handle.documentId as unknown as WorkflowId;

    const loaded = await loadWorkflowFromServer({ server: server.url, workflowId, token: Tokens.editor });
    expect(loaded.workflow.name).toBe('Latest before the run');
    expect(loaded.workflow).toEqual(JSON.parse(JSON.stringify(handle.doc())));
    expect(loaded.source).toEqual({
      kind: 'automerge',
      server: server.url,
      workflowId,
      heads: A.getHeads(handle.doc()),
    });

    // A teammate edits while the run would be running.
    handle.change((w) => {
      w.name = 'Edited during the run';
    });
    await serverHas(repos[0]!, handle);
    expect(loaded.workflow.name).toBe('Latest before the run');
    if (loaded.source.kind !== 'automerge') throw new Error('expected an automerge source');
    // The pinned heads name exactly the version that was loaded.
    expect(A.toJS(A.view(handle.doc(), loaded.source.heads))).toEqual(loaded.workflow);

    // A re-run takes the workflow as it is now, with a new pin.
    const rerun = await loadWorkflowAt(loaded.source, { token: Tokens.editor });
    expect(rerun.workflow.name).toBe('Edited during the run');
    expect(rerun.source).toMatchObject({ kind: 'automerge', heads: A.getHeads(handle.doc()) });
    expect(rerun.source).not.toEqual(loaded.source);
  });

  it('refuses a bad token, a stranger and an unknown workflow with named errors', async () => {
    const handle = await shared<Workflow>(template());
    const workflowId = handle.documentId as unknown as WorkflowId;
    const at = { server: server.url, workflowId };
    const noToken = await refusal(loadWorkflowFromServer(at));
    expect(noToken.code).toBe(WorkflowSourceErrorCode.unauthorized);
    expect(noToken.message).toContain('symphony login');
    const garbage = await refusal(loadWorkflowFromServer({ ...at, token: 'garbage' }));
    expect(garbage.code).toBe(WorkflowSourceErrorCode.unauthorized);
    const stranger = await refusal(loadWorkflowFromServer({ ...at, token: Tokens.stranger }));
    expect(stranger.code).toBe(WorkflowSourceErrorCode.forbidden);
    const unknownId = new Repo({ network: [] }).create<Workflow>(template()).documentId;
    const unknown = await refusal(
      loadWorkflowFromServer({ ...at, workflowId: unknownId as unknown as WorkflowId, token: Tokens.editor }),
    );
    expect(unknown.code).toBe(WorkflowSourceErrorCode.notFound);
    const malformed = await refusal(
      loadWorkflowFromServer({ ...at, workflowId: 'not an id' as WorkflowId, token: Tokens.editor }),
    );
    expect(malformed.code).toBe(WorkflowSourceErrorCode.notFound);
  });

  it('refuses a document that is not a workflow with the shared gate’s problems', async () => {
    const handle = await shared({ items: ['a list, not a workflow'] }, ResourceKind.document);
    const error = await refusal(
      loadWorkflowFromServer({
        server: server.url,
        workflowId: handle.documentId as unknown as WorkflowId,
        token: Tokens.editor,
      }),
    );
    expect(error.code).toBe(WorkflowSourceErrorCode.notAWorkflow);
    expect(error.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['name', 'nodes', 'edges']));
  });

  it('gives up on a server that does not answer, with what to check', async () => {
    const closed = await startTeamServer();
    const url = closed.server.url;
    await closed.server.close();
    const error = await refusal(
      loadWorkflowFromServer({
        server: url,
        workflowId: new Repo({ network: [] }).create<Workflow>(template())
          .documentId as unknown as WorkflowId,
        token: Tokens.editor,
        timeoutMs: 1_500,
      }),
    );
    expect(error.code).toBe(WorkflowSourceErrorCode.unreachable);
    expect(error.message).toContain('check the address');
  });

  it('refuses bad arguments with OrchestratorInputError', async () => {
    await expect(
      loadWorkflowFromServer({ server: 'ftp://x', workflowId: 'a' as WorkflowId }),
    ).rejects.toThrow(OrchestratorInputError);
  });
});
