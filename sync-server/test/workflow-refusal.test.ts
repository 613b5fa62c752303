// Tests of /automerge after refusing an invalid Workflow it has no copy of: no lookup is left to fail
// unhandled 60 s later, and a valid version under the same id is still taken.
import { Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { instantiateTemplate, WorkflowTemplates } from '@symphony/schemas';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Access, AccessCheck, AccessControl } from '../src/access/AccessControl.js';
import {
  type Logger,
  MemoryAutomergeStorage,
  MemoryDocumentPersistence,
  type SyncServer,
} from '../src/index.js';
import { startTestServer, waitFor } from '../src/testing.js';

/** Everyone an editor of every id, each id a workflow: the gate checks every change. */
class WorkflowAccess implements AccessControl {
  async authorize(token: string): Promise<Access> {
    const user = token || 'anonymous';
    return {
      ok: true,
      role: 'editor',
      workspaceId: 'w',
      kind: 'workflow',
      userId: user,
      userName: user,
      exp: Number.POSITIVE_INFINITY,
    };
  }
  authorizeMany(checks: readonly AccessCheck[]): Promise<Access[]> {
    return Promise.all(checks.map((c) => this.authorize(c.token)));
  }
}

describe('/automerge after refusing an invalid workflow the server has no copy of', () => {
  let server: SyncServer;
  const repos: Repo[] = [];
  const infos: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  const logger: Logger = { info: (msg) => void infos.push(msg), warn() {}, error() {} };

  beforeEach(async () => {
    process.on('unhandledRejection', onUnhandled);
    // automerge-repo waits 60 s for a handle to become ready; fake timers jump there. They also
    // advance with the real clock, so sockets and the repo run as usual until then.
    vi.useFakeTimers({
      shouldAdvanceTime: true,
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
    });
    server = await startTestServer(
      {},
      {
        persistence: new MemoryDocumentPersistence(),
        automergeStorage: new MemoryAutomergeStorage(),
        access: new WorkflowAccess(),
        logger,
      },
    );
  });
  afterEach(async () => {
    for (const repo of repos.splice(0)) await repo.shutdown();
    await server.close();
    vi.useRealTimers();
    process.off('unhandledRejection', onUnhandled);
  });

  const client = (token: string) => {
    const repo = new Repo({
      network: [new WebSocketClientAdapter(`ws://127.0.0.1:${server.port}/automerge?token=${token}`, 200)],
    });
    repos.push(repo);
    return repo;
  };

  it('leaves no lookup pending that fails unhandled 60 s later, and still serves the id', async () => {
    const invalid = { ...instantiateTemplate(WorkflowTemplates[0]!, 'Broken'), nodes: 'not nodes' };
    const handle = client('author').create(invalid);
    await waitFor(() => infos.includes('refused automerge changes'), 'the server to refuse the workflow');
    const other = client('other');
    const found = other.find(handle.documentId).then(
      () => 'found',
      () => 'unavailable',
    );

    await vi.advanceTimersByTimeAsync(61_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
    expect(await found).toBe('unavailable');

    // A valid version of the workflow under the same id is still taken.
    handle.change((d) => {
      Object.assign(d, instantiateTemplate(WorkflowTemplates[0]!, 'Fixed'));
    });
    const fixed = await client('reader').find<{ name: string }>(handle.documentId);
    expect(fixed.doc().name).toBe('Fixed');
  }, 30_000);
});
