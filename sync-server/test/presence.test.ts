// Tests of presence through the real sync-server: hostile awareness on /yjs and hostile board presence
// on /automerge reach other clients only as safe presence, named after the token's user.
import { next as A } from '@automerge/automerge';
import { type DocHandle, type PeerId, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { Health, presenceColorFor } from '@symphony/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncServer } from '../src/index.js';
import { connect, rawSocket, startTestServer, synced, tempDir, waitFor } from '../src/testing.js';
import { awarenessFrame } from './crafted-updates.js';

/** What a hostile peer puts where a colour goes: it would cover the window and fetch a URL. */
const HOSTILE = 'red;position:fixed;inset:0;z-index:99999;background:url(http://127.0.0.1:9/leak)';

type Notes = { items: string[] };

describe('presence through the real server', () => {
  let dir: { dir: string; cleanup: () => Promise<void> };
  let server: SyncServer;
  const cleanups: (() => unknown)[] = [];

  beforeEach(async () => {
    dir = await tempDir('symphony-presence-');
    server = await startTestServer({ dataDir: dir.dir });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await server.close();
    await dir.cleanup();
  });

  it('relays a hostile awareness state to stock y-websocket clients only as a safe one', async () => {
    const victim = connect(server, 'doc-p', undefined, 'victim');
    cleanups.push(() => victim.destroy());
    await synced(victim);
    // OpenAccess names the raw connection's user by its token.
    const raw = await rawSocket(server, '/yjs/doc-p?token=mallory');
    cleanups.push(() => raw.ws.close());
    await waitFor(() => raw.received.length > 0, 'sync step 1');
    const states: unknown[] = [
      { user: { name: 'x', color: HOSTILE, colorLight: 'expression(alert(1))' }, cursor: { anchor: 1 } },
      { user: { name: 'x', color: ['#123456'] }, cursor: { anchor: { item: null }, head: 'x' } },
      { user: { name: 'x'.repeat(50_000), color: `#${'a'.repeat(50_000)}` }, style: HOSTILE },
    ];
    for (const [i, state] of states.entries()) {
      raw.ws.send(awarenessFrame(4242, i + 1, state));
      await waitFor(() => victim.awareness.meta.get(4242)?.clock === i + 1, `state ${i} to arrive`);
      expect(victim.awareness.getStates().get(4242)).toEqual({
        user: { id: 'mallory', name: 'mallory', color: presenceColorFor('mallory'), ...lightIf(i === 0) },
        ...(i < 2 ? { cursor: null } : {}),
      });
    }
    // A stock client's own presence still arrives as it was sent (with the token's name).
    const other = connect(server, 'doc-p', undefined, 'ada');
    cleanups.push(() => other.destroy());
    await synced(other);
    other.awareness.setLocalStateField('user', { name: 'Ada', color: '#1e6fd9', colorLight: '#1e6fd933' });
    await waitFor(
      () => victim.awareness.getStates().get(other.doc.clientID)?.user?.color === '#1e6fd9',
      "ada's presence",
    );
    expect(victim.awareness.getStates().get(other.doc.clientID)?.user).toEqual({
      id: 'ada',
      name: 'ada',
      color: '#1e6fd9',
      colorLight: '#1e6fd933',
    });
    expect(raw.ws.readyState).toBe(raw.ws.OPEN);
    expect(Health.parse(await (await fetch(`${server.url}/healthz`)).json()).status).toBe('ok');
  });

  it('relays hostile board presence over /automerge only as safe board presence', async () => {
    const repo = (token: string) => {
      const r = new Repo({
        network: [new WebSocketClientAdapter(`ws://127.0.0.1:${server.port}/automerge?token=${token}`, 200)],
      });
      cleanups.push(() => r.shutdown());
      return r;
    };
    const victim = repo('victim');
    const mallory = repo('mallory');
    const mine = victim.create<Notes>({ items: [] });
    mine.change((d) => void d.items.push('x'));
    await serverHolds(victim, mine);
    const theirs = await mallory.find<Notes>(mine.url);
    const seen: unknown[] = [];
    mine.on('ephemeral-message', ({ message }) => void seen.push(message));
    const hostile = {
      type: 'board-presence',
      user: { name: 'Eve', color: HOSTILE },
      selection: ['n1', '</text><script>', 7],
      pointer: { x: 1e300, y: 0 },
      dragging: [
        ['n1', { x: 1, y: 2 }],
        ['n2', { x: 'x', y: 0 }],
      ],
      onload: 'alert(1)',
    };
    await waitFor(() => {
      theirs.broadcast(hostile);
      return seen.length > 0;
    }, 'the presence to arrive');
    expect(seen[0]).toEqual({
      type: 'board-presence',
      user: { id: 'mallory', name: 'mallory', color: presenceColorFor('mallory') },
      selection: ['n1'],
      pointer: null,
      dragging: [['n1', { x: 1, y: 2 }]],
    });
    // Garbage that is not board presence at all keeps nobody from working.
    theirs.broadcast({ user: 'x', type: 'board-presence', selection: { length: 1e9 } });
    mine.change((d) => void d.items.push('still here'));
    await waitFor(() => theirs.doc()?.items.length === 2, 'a later edit to arrive');
    expect(Health.parse(await (await fetch(`${server.url}/healthz`)).json()).status).toBe('ok');
  });
});

function lightIf(hasLight: boolean): { colorLight?: string } {
  return hasLight ? { colorLight: `${presenceColorFor('mallory')}33` } : {};
}

/** Resolves when the server has told `repo` it holds `handle`'s current heads. */
async function serverHolds(repo: Repo, handle: DocHandle<Notes>): Promise<void> {
  await waitFor(() => {
    const storageId = repo.peerMetadataByPeerId['symphony-sync-server' as PeerId]?.storageId;
    const theirs = storageId && handle.getSyncInfo(storageId)?.lastHeads;
    return !!theirs && A.equals(theirs, handle.heads());
  }, 'the server to hold the document');
}
