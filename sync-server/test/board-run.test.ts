// Tests of run broadcasts (`board-run`) through the real sync-server with stock automerge-repo clients:
// a valid one reaches the other boards named after the sender's token, a broken one reaches nobody and
// costs nobody their connection, and none is ever written into the workflow.
import { next as A } from '@automerge/automerge';
import { type DocHandle, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import type { Role } from '@symphony/schemas';
import {
  Health,
  instantiateTemplate,
  MAX_BOARD_RUN_NODES,
  presenceColorFor,
  type Workflow,
  WorkflowTemplates,
} from '@symphony/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Access, AccessCheck, AccessControl, Denial } from '../src/access/AccessControl.js';
import { MemoryAutomergeStorage, MemoryDocumentPersistence, type SyncServer } from '../src/index.js';
import { serverHas, startTestServer, waitFor } from '../src/testing.js';

/** Who each test token is: a user id, the real name the server knows, and a role on every workflow. */
const PEOPLE: Record<string, { userId: string; userName: string; role: Role }> = {
  ada: { userId: 'u-ada', userName: 'Ada Lovelace', role: 'editor' },
  bob: { userId: 'u-bob', userName: 'Bob Babbage', role: 'editor' },
  vic: { userId: 'u-vic', userName: 'Vic Viewer', role: 'viewer' },
};

/** Every id a workflow, each token the person {@link PEOPLE} says. */
class PeopleAccess implements AccessControl {
  async authorize(token: string): Promise<Access | Denial> {
    const person = PEOPLE[token];
    if (!person) return { ok: false, reason: 'unauthenticated', message: `unknown test token ${token}` };
    return { ok: true, workspaceId: 'w', kind: 'workflow', exp: Number.POSITIVE_INFINITY, ...person };
  }
  authorizeMany(checks: readonly AccessCheck[]): Promise<(Access | Denial)[]> {
    return Promise.all(checks.map((c) => this.authorize(c.token)));
  }
}

const RUN = 'run_0123456789abcdefghij';
/** Ada as the server stamps her on a run whose colour she chose as `#1e6fd9`. */
const ADA_STAMPED = { id: 'u-ada', name: 'Ada Lovelace', color: '#1e6fd9' };

/** A valid run broadcast as a board sends it (the server stamps `user.id` and `user.name`). */
function runMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'board-run',
    user: { name: 'Ada', color: '#1e6fd9' },
    runId: RUN,
    status: 'running',
    fraction: 0.5,
    states: { n1: 'succeeded', n2: 'running' },
    at: 1_700_000_000_000,
    ...overrides,
  };
}

/** A board on one person's stock automerge-repo client, recording the ephemeral messages it gets. */
interface Board {
  readonly repo: Repo;
  readonly handle: DocHandle<Workflow>;
  readonly received: unknown[];
}

describe('run broadcasts through the real server', () => {
  let server: SyncServer;
  const repos: Repo[] = [];

  beforeEach(async () => {
    server = await startTestServer(
      {},
      {
        persistence: new MemoryDocumentPersistence(),
        automergeStorage: new MemoryAutomergeStorage(),
        access: new PeopleAccess(),
      },
    );
  });
  afterEach(async () => {
    for (const repo of repos.splice(0)) await repo.shutdown();
    await server.close();
  });

  const client = (token: string): Repo => {
    const repo = new Repo({
      network: [new WebSocketClientAdapter(`ws://127.0.0.1:${server.port}/automerge?token=${token}`, 200)],
    });
    repos.push(repo);
    return repo;
  };

  /** Ada creates a workflow; each of `others` opens it. */
  async function boards(...others: string[]): Promise<Board[]> {
    const ada = client('ada');
    const handle = ada.create<Workflow>(instantiateTemplate(WorkflowTemplates[0]!, 'Live runs'));
    await serverHas(ada, handle);
    const all: Board[] = [{ repo: ada, handle, received: [] }];
    for (const token of others) {
      const repo = client(token);
      all.push({ repo, handle: await repo.find<Workflow>(handle.url), received: [] });
    }
    for (const board of all)
      board.handle.on('ephemeral-message', ({ message }) => void board.received.push(message));
    return all;
  }

  /**
   * Sends `message` (a run or presence) from `from` until `to` has received it as relayed: the same
   * type and `at`. Sent again each 250 ms until then, since a peer that has just found the workflow
   * may not be one the server relays to yet.
   */
  async function deliver(from: Board, to: Board, message: Record<string, unknown>, what: string) {
    const seen = to.received.length;
    const relayed = (m: unknown) => isRecord(m) && m.type === message.type && m.at === message.at;
    let sentAt = -Infinity;
    await waitFor(() => {
      if (to.received.slice(seen).some(relayed)) return true;
      if (Date.now() - sentAt >= 250) {
        from.handle.broadcast(message);
        sentAt = Date.now();
      }
      return false;
    }, what);
    return to.received.slice(seen).find(relayed);
  }

  it("relays a valid run to the other boards stamped with the sender's real name, a forged user replaced", async () => {
    const [ada, bob] = await boards('bob');
    const forged = runMessage({ user: { id: 'u-bob', name: 'Bob Babbage', color: '#2e8b57' }, extra: 'x' });
    const got = await deliver(ada!, bob!, forged, 'the run to reach bob');
    expect(got).toEqual({
      ...runMessage(),
      user: { id: 'u-ada', name: 'Ada Lovelace', color: '#2e8b57' },
    });
    // A hostile colour is replaced, not relayed: it ends up in a style attribute elsewhere.
    const hostile = runMessage({ user: { name: 'x', color: 'red;background:url(http://evil/x)' }, at: 2 });
    expect(await deliver(ada!, bob!, hostile, 'the hostile-coloured run to reach bob')).toEqual({
      ...runMessage({ at: 2 }),
      user: { id: 'u-ada', name: 'Ada Lovelace', color: presenceColorFor('u-ada') },
    });
  });

  it('relays a viewer’s run broadcast too: watching a run is not a write', async () => {
    const [ada, vic] = await boards('vic');
    const got = await deliver(vic!, ada!, runMessage({ user: { name: 'Ada', color: '#b03a8c' } }), 'the run');
    expect(got).toMatchObject({ type: 'board-run', runId: RUN, user: { id: 'u-vic', name: 'Vic Viewer' } });
  });

  it('drops every broken run broadcast, relays nothing of it, and keeps every connection working', async () => {
    const [ada, bob, vic] = await boards('bob', 'vic');
    const tooMany = Object.fromEntries(
      Array.from({ length: MAX_BOARD_RUN_NODES + 1 }, (_, i) => [`n${i}`, 'running']),
    );
    const broken: Record<string, Record<string, unknown>> = {
      '10,001 states': runMessage({ states: tooMany }),
      'a state that is no node state': runMessage({ states: { n1: 'exploded' } }),
      'a node id that is no node id': runMessage({ states: { '</text><script>': 'running' } }),
      'a bad run id': runMessage({ runId: '../../etc/passwd' }),
      'states that are a list': runMessage({ states: ['running'] }),
      'states that are a string': runMessage({ states: 'running' }),
      'a NaN fraction': runMessage({ fraction: Number.NaN }),
      'a fraction above 1': runMessage({ fraction: 2 }),
      'a status that is no run status': runMessage({ status: 'exploded' }),
      'a negative time': runMessage({ at: -1 }),
      'no run id at all': runMessage({ runId: undefined }),
    };
    for (const [i, [what, message]] of Object.entries(broken).entries()) {
      // The broken message, then a valid one: the sender's messages reach each peer in order, so
      // once the valid one has arrived the broken one would have arrived before it.
      const seenByBob = bob!.received.length;
      const seenByVic = vic!.received.length;
      ada!.handle.broadcast(message);
      const marker = runMessage({ at: 10 + i });
      await deliver(ada!, bob!, marker, `the run after ${what} to reach bob`);
      await waitFor(
        () => vic!.received.slice(seenByVic).some((m) => isRecord(m) && m.at === marker.at),
        'vic',
      );
      // Only markers arrived (this one, or a repeat of an earlier one still on its way).
      for (const got of [...bob!.received.slice(seenByBob), ...vic!.received.slice(seenByVic)]) {
        const at =
          isRecord(got) && typeof got.at === 'number' && got.at >= 10 && got.at <= 10 + i ? got.at : NaN;
        expect(got, `${what} must not be relayed`).toEqual({ ...runMessage({ at }), user: ADA_STAMPED });
      }
    }

    // Board presence, both ways, and edits still travel on the same connections.
    const presence = {
      type: 'board-presence',
      user: { name: 'Ada', color: '#1e6fd9' },
      selection: ['n1'],
      pointer: { x: 1, y: 2 },
      dragging: [],
    };
    expect(await deliver(ada!, bob!, presence, "ada's presence")).toEqual({
      ...presence,
      user: { id: 'u-ada', name: 'Ada Lovelace', color: '#1e6fd9' },
    });
    await deliver(bob!, ada!, { ...presence, user: { name: 'Bob', color: '#2e8b57' } }, "bob's presence");
    await deliver(vic!, ada!, runMessage({ at: 99 }), "vic's run");
    bob!.handle.change((d) => {
      d.name = 'Renamed by Bob';
    });
    await waitFor(() => ada!.handle.doc().name === 'Renamed by Bob', "bob's edit to reach ada");
    await waitFor(() => vic!.handle.doc().name === 'Renamed by Bob', "bob's edit to reach vic");
    expect(Health.parse(await (await fetch(`${server.url}/healthz`)).json()).status).toBe('ok');
  }, 30_000);

  it('never writes a run into the workflow: its heads stay where they were', async () => {
    const [ada, bob] = await boards('bob');
    const heads = ada!.handle.heads();
    for (const status of ['running', 'succeeded'] as const) {
      await deliver(ada!, bob!, runMessage({ status, at: status === 'running' ? 1 : 2 }), `a ${status} run`);
    }
    ada!.handle.broadcast(runMessage({ fraction: Number.NaN }));
    await deliver(ada!, bob!, runMessage({ at: 3 }), 'the run after a broken one');
    expect(A.equals(ada!.handle.heads(), heads)).toBe(true);
    expect(A.equals(bob!.handle.heads(), heads)).toBe(true);
    // What the server holds: a newcomer finds the workflow exactly as Ada created it.
    const fresh = await client('bob').find<Workflow>(ada!.handle.url);
    expect(A.equals(fresh.heads(), heads)).toBe(true);
    expect(fresh.doc()).not.toHaveProperty('states');
  });
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
