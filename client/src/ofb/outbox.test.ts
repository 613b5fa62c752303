// Tests of the outbox: order, retries with backoff, refusals, idempotency keys across reloads, other
// tabs' entries, and bodies refused before queueing.
import 'fake-indexeddb/auto';
import { errorBody, type OfbFunctionName } from '@symphony/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SymphonyDb } from './local-db.js';
import type { OfbCallOptions, OfbTransport } from './OfbTransport.js';
import { OfbClient } from './ofb-client.js';
import { OfbUnreachableError, ofbErrorFromBody } from './ofb-errors.js';
import { Outbox, OutboxFunction, OutboxPrevalidationError } from './outbox.js';

/**
 * A fake OFB behind the real transport port: answers like the server does (`{error:{…}}` bodies
 * with HTTP statuses), remembers idempotency keys, and can be taken offline.
 */
class FakeOfb implements OfbTransport {
  online = true;
  /** Idempotency key → stored answer (a repeat gets the stored answer and applies nothing). */
  readonly answers = new Map<string, unknown>();
  /** Idempotency key → stored refusal (OFB answers a refused key with the same refusal). */
  readonly refusals = new Map<string, unknown>();
  /** Keys another tab is applying right now (409 request_in_progress). */
  readonly inProgress = new Set<string>();
  readonly applied: { name: OfbFunctionName; body: unknown }[] = [];
  readonly calls: { name: OfbFunctionName; key: string | undefined }[] = [];
  /** Functions that fail with 500 while set. */
  failing = false;
  tokenValid = true;
  documents = new Set<string>();

  async invoke(name: OfbFunctionName, body: unknown, options: OfbCallOptions): Promise<unknown> {
    this.calls.push({ name, key: options.idempotencyKey });
    if (!this.online) throw new OfbUnreachableError('offline');
    if (!this.tokenValid || options.token === undefined)
      throw ofbErrorFromBody(401, errorBody('auth', 'token_expired', 'the token has expired'));
    if (this.failing) throw ofbErrorFromBody(500, errorBody('internal', 'internal', 'the server failed'));
    const key = options.idempotencyKey;
    if (key !== undefined && this.inProgress.has(key))
      throw ofbErrorFromBody(
        409,
        errorBody('conflict', 'request_in_progress', 'the same request is being applied'),
      );
    if (key !== undefined && this.refusals.has(key)) throw this.refusals.get(key);
    if (key !== undefined && this.answers.has(key)) return this.answers.get(key);
    const b = body as Record<string, string>;
    let answer: unknown;
    if (name === 'rename-document' && !this.documents.has(b.documentId ?? '')) {
      const refusal = ofbErrorFromBody(
        404,
        errorBody('not_found', 'document_not_found', `no document ${b.documentId}`),
      );
      // Like OFB: a refusal is stored under the key, and the same key gets the same refusal.
      if (key !== undefined) this.refusals.set(key, refusal);
      throw refusal;
    }
    if (name === 'create-document') {
      if (this.documents.has(b.id ?? ''))
        throw ofbErrorFromBody(409, errorBody('conflict', 'document_exists', 'it exists'));
      this.documents.add(b.id ?? '');
      answer = { document: { id: b.id } };
    } else {
      answer = { ok: true };
    }
    this.applied.push({ name, body });
    if (key !== undefined) this.answers.set(key, answer);
    return answer;
  }
}

describe('Outbox', () => {
  let db: SymphonyDb;
  let ofb: FakeOfb;
  let timers: { run: () => void; ms: number }[];
  let keys: number;
  let userId: string | null;
  const applied: string[] = [];
  let authRequired = 0;

  const makeOutbox = (): Outbox => {
    const client = new OfbClient(ofb, () => 'token');
    return new Outbox({
      db,
      send: (entry) => client.mutate(entry.name, entry.body, entry.key),
      userId: () => userId,
      now: () => 1_000,
      newKey: () => `key-${String(++keys).padStart(4, '0')}`,
      setTimer: (run, ms) => {
        const t = {
          run: () => {
            timers = timers.filter((x) => x !== t);
            run();
          },
          ms,
        };
        timers.push(t);
        return t;
      },
      clearTimer: (t) => {
        timers = timers.filter((x) => x !== t);
      },
      onApplied: (entry) => applied.push(entry.key),
      onAuthRequired: () => authRequired++,
    });
  };

  beforeEach(() => {
    db = new SymphonyDb(`outbox-test-${Math.random()}`);
    ofb = new FakeOfb();
    timers = [];
    keys = 0;
    userId = 'u1';
    applied.length = 0;
    authRequired = 0;
  });
  afterEach(async () => {
    await db.delete();
  });

  const doc = (id: string) => ({ workspaceId: 'w1', id, kind: 'document', title: `Doc ${id}` });

  it('shows what another tab of the browser sent or queued, without a replay of its own', async () => {
    // Two tabs: two outboxes over one IndexedDB database.
    const first = makeOutbox();
    const second = makeOutbox();
    await first.load();
    await second.load();
    ofb.online = false;
    await first.enqueue(OutboxFunction.createDocument, doc('a'), 'Create a');
    await expect.poll(() => second.pendingCount).toBe(1);
    expect(second.isCreationPending('a')).toBe(true);
    ofb.online = true;
    // The second tab sends it; the first learns it is gone.
    expect(await second.replay()).toBe('done');
    await expect.poll(() => first.pendingCount).toBe(0);
    expect(first.isCreationPending('a')).toBe(false);
    expect(ofb.applied.map((a) => a.name)).toEqual(['create-document']);
    first.stop();
    second.stop();
  });

  it('a replay that finds the queue emptied elsewhere says so', async () => {
    const outbox = makeOutbox();
    ofb.online = false;
    await outbox.enqueue(OutboxFunction.createDocument, doc('a'), 'Create a');
    expect(await outbox.replay()).toBe('offline');
    expect(outbox.pendingCount).toBe(1);
    // Another tab (not watched here: no load()) sent it and removed it.
    await db.outbox.clear();
    ofb.online = true;
    expect(await outbox.replay()).toBe('done');
    expect(outbox.pendingCount).toBe(0);
  });

  it('sends queued mutations in order and removes them once applied', async () => {
    const outbox = makeOutbox();
    ofb.online = false;
    await outbox.enqueue(OutboxFunction.createDocument, doc('a'), 'Create a');
    await outbox.enqueue(OutboxFunction.renameDocument, { documentId: 'a', title: 'A!' }, 'Rename a');
    await outbox.enqueue(OutboxFunction.createDocument, doc('b'), 'Create b');
    await outbox.replay();
    expect(outbox.pendingCount).toBe(3);
    expect(ofb.applied).toEqual([]);

    ofb.online = true;
    expect(await outbox.replay()).toBe('done');
    expect(ofb.applied.map((a) => a.name)).toEqual(['create-document', 'rename-document', 'create-document']);
    expect(outbox.entries).toEqual([]);
    expect(applied).toEqual(['key-0001', 'key-0002', 'key-0003']);
  });

  it('stops at a network failure and retries later with backoff', async () => {
    const outbox = makeOutbox();
    ofb.online = false;
    await outbox.enqueue(OutboxFunction.createDocument, doc('a'), 'Create a');
    await outbox.replay();
    expect(timers.map((t) => t.ms)).toEqual([1_000]);
    timers[0]?.run();
    await outbox.replay();
    expect(timers.map((t) => t.ms)).toEqual([2_000]);

    ofb.online = true;
    timers[0]?.run();
    await outbox.replay();
    expect(outbox.entries).toEqual([]);
    expect(ofb.applied).toHaveLength(1);
  });

  it('treats a 5xx like the network: stops, keeps the entry pending', async () => {
    const outbox = makeOutbox();
    ofb.failing = true;
    await outbox.enqueue(OutboxFunction.createDocument, doc('a'), 'Create a');
    await outbox.enqueue(OutboxFunction.createDocument, doc('b'), 'Create b');
    expect(await outbox.replay()).toBe('offline');
    expect(outbox.entries.map((e) => e.state)).toEqual(['pending', 'pending']);
    expect(ofb.calls.filter((c) => c.name === 'create-document').map((c) => c.key)).not.toContain('key-0002');
  });

  it('marks a refused entry with OFB’s message and goes on with the next', async () => {
    const outbox = makeOutbox();
    ofb.online = false;
    await outbox.enqueue(OutboxFunction.renameDocument, { documentId: 'nope', title: 'X' }, 'Rename nope');
    await outbox.enqueue(OutboxFunction.createDocument, doc('b'), 'Create b');
    ofb.online = true;
    await outbox.replay();
    expect(outbox.entries).toHaveLength(1);
    const [refused] = outbox.entries;
    expect(refused?.state).toBe('refused');
    expect(refused?.refusal).toMatchObject({
      status: 404,
      code: 'document_not_found',
      message: 'no document nope',
    });
    expect(ofb.documents.has('b')).toBe(true);

    // A refused entry is not sent again by later replays, until Retry.
    const callsBefore = ofb.calls.filter((c) => c.key === refused?.key).length;
    await outbox.enqueue(OutboxFunction.createDocument, doc('c'), 'Create c');
    await outbox.replay();
    expect(ofb.calls.filter((c) => c.key === refused?.key)).toHaveLength(callsBefore);
    ofb.documents.add('nope');
    await outbox.retry(refused?.key ?? '');
    await outbox.replay();
    expect(outbox.entries).toEqual([]);
    // Retry was a new attempt: it went out under a new key, not the refused one.
    const renames = ofb.calls.filter((c) => c.name === 'rename-document').map((c) => c.key);
    expect(renames.at(-1)).not.toBe(refused?.key);
    expect(ofb.applied.filter((a) => a.name === 'rename-document')).toHaveLength(1);
  });

  it('retries a refused entry with a fresh key in its place in the queue', async () => {
    const outbox = makeOutbox();
    await outbox.enqueue(OutboxFunction.renameDocument, { documentId: 'nope', title: 'X' }, 'Rename nope');
    await outbox.replay();
    const [refused] = outbox.entries;
    expect(refused?.state).toBe('refused');
    ofb.documents.add('nope');
    await outbox.retry(refused?.key ?? '');
    await outbox.replay();
    expect(outbox.entries).toEqual([]);
    expect(ofb.calls.map((c) => c.key)).toEqual(['key-0001', 'key-0002']);
  });

  it('keeps the key of a pending entry when asked to send it now (it may have been applied)', async () => {
    const outbox = makeOutbox();
    ofb.online = false;
    await outbox.enqueue(OutboxFunction.createDocument, doc('a'), 'Create a');
    ofb.online = true;
    await outbox.retry('key-0001');
    await outbox.replay();
    expect(outbox.entries).toEqual([]);
    expect(new Set(ofb.calls.map((c) => c.key))).toEqual(new Set(['key-0001']));
  });

  it('treats 409 request_in_progress as temporary: stays pending, retried later with the same key', async () => {
    const outbox = makeOutbox();
    ofb.inProgress.add('key-0001');
    await outbox.enqueue(OutboxFunction.createDocument, doc('a'), 'Create a');
    expect(await outbox.replay()).toBe('offline');
    expect(outbox.entries.map((e) => e.state)).toEqual(['pending']);
    expect(timers.map((t) => t.ms)).toEqual([1_000]);
    ofb.inProgress.clear();
    timers[0]?.run();
    await outbox.replay();
    expect(outbox.entries).toEqual([]);
    expect(new Set(ofb.calls.map((c) => c.key))).toEqual(new Set(['key-0001']));
    expect(ofb.applied).toHaveLength(1);
  });

  it('dismisses a refused entry for good', async () => {
    const outbox = makeOutbox();
    await outbox.enqueue(OutboxFunction.renameDocument, { documentId: 'nope', title: 'X' }, 'Rename nope');
    await outbox.replay();
    expect(outbox.entries[0]?.state).toBe('refused');
    await outbox.dismiss(outbox.entries[0]?.key ?? '');
    expect(outbox.entries).toEqual([]);
  });

  it('sends the same key on every attempt, so a replay twice applies once', async () => {
    const outbox = makeOutbox();
    await outbox.enqueue(
      OutboxFunction.inviteMember,
      { workspaceId: 'w1', userName: 'bob', role: 'editor' },
      'Invite bob',
    );
    await outbox.replay();
    // The answer was lost: the same entry is sent again (a second browser tab, a crash before delete).
    const client = new OfbClient(ofb, () => 'token');
    await client.mutate('invite-member', { workspaceId: 'w1', userName: 'bob', role: 'editor' }, 'key-0001');
    expect(ofb.applied.filter((a) => a.name === 'invite-member')).toHaveLength(1);
    expect(new Set(ofb.calls.map((c) => c.key))).toEqual(new Set(['key-0001']));
  });

  it('counts a create OFB already has as applied', async () => {
    const outbox = makeOutbox();
    ofb.documents.add('a');
    await outbox.enqueue(OutboxFunction.createDocument, doc('a'), 'Create a');
    await outbox.replay();
    expect(outbox.entries).toEqual([]);
    expect(applied).toEqual(['key-0001']);
  });

  it('stops on an expired token without refusing anything, and asks for sign-in', async () => {
    const outbox = makeOutbox();
    ofb.tokenValid = false;
    await outbox.enqueue(OutboxFunction.createDocument, doc('a'), 'Create a');
    expect(await outbox.replay()).toBe('auth');
    expect(outbox.entries.map((e) => e.state)).toEqual(['pending']);
    expect(authRequired).toBeGreaterThan(0);
    ofb.tokenValid = true;
    await outbox.replay();
    expect(outbox.entries).toEqual([]);
  });

  it('survives a reload (the queue is in IndexedDB) and keeps users apart', async () => {
    ofb.online = false;
    await makeOutbox().enqueue(OutboxFunction.createDocument, doc('a'), 'Create a');
    userId = 'u2';
    const other = makeOutbox();
    await other.load();
    expect(other.entries).toEqual([]);
    userId = 'u1';
    const again = makeOutbox();
    await again.load();
    expect(again.entries.map((e) => e.label)).toEqual(['Create a']);
    expect(again.isCreationPending('a')).toBe(true);
    ofb.online = true;
    await again.replay();
    expect(again.isCreationPending('a')).toBe(false);
  });

  it('refuses a body that does not fit the function before queueing it', async () => {
    const outbox = makeOutbox();
    await expect(
      outbox.enqueue(
        OutboxFunction.createDocument,
        { workspaceId: 'w1', kind: 'document', title: '  ' },
        'x',
      ),
    ).rejects.toBeInstanceOf(OutboxPrevalidationError);
    expect(outbox.entries).toEqual([]);
  });

  describe('submit: queued, and answered at once when online', () => {
    const invite = { workspaceId: 'w1', userName: 'bob', role: 'editor' };

    it('answers "applied" once OFB applied it, and the entry is gone', async () => {
      const outbox = makeOutbox();
      const outcome = await outbox.submit(OutboxFunction.inviteMember, invite, 'Invite bob');
      expect(outcome.state).toBe('applied');
      expect(outcome.entry.label).toBe('Invite bob');
      expect(outbox.entries).toEqual([]);
      // Still through the queue: sent once, with the entry's idempotency key.
      expect(ofb.calls).toEqual([{ name: 'invite-member', key: 'key-0001' }]);
    });

    it("answers OFB's refusal, which stays in the outbox until dismissed", async () => {
      const outbox = makeOutbox();
      const outcome = await outbox.submit(
        OutboxFunction.renameDocument,
        { documentId: 'missing', title: 'T' },
        'Rename missing',
      );
      expect(outcome).toMatchObject({
        state: 'refused',
        refusal: { status: 404, code: 'document_not_found', message: 'no document missing' },
      });
      expect(outbox.entries.map((e) => e.state)).toEqual(['refused']);
      await outbox.dismiss(outcome.entry.key);
      expect(outbox.entries).toEqual([]);
    });

    it('answers "queued" offline, and the entry is sent once the network is back', async () => {
      const outbox = makeOutbox();
      ofb.online = false;
      const outcome = await outbox.submit(OutboxFunction.inviteMember, invite, 'Invite bob');
      expect(outcome).toMatchObject({ state: 'queued', replay: 'offline' });
      expect(outbox.pendingCount).toBe(1);
      ofb.online = true;
      expect(await outbox.replay()).toBe('done');
      expect(ofb.applied.map((a) => a.name)).toEqual(['invite-member']);
    });

    it('waits for its own entry when a replay is already under way', async () => {
      const outbox = makeOutbox();
      ofb.online = false;
      await outbox.enqueue(OutboxFunction.createDocument, doc('a'), 'Create a');
      ofb.online = true;
      const running = outbox.replay();
      const outcome = await outbox.submit(OutboxFunction.inviteMember, invite, 'Invite bob');
      expect(await running).toBe('done');
      expect(outcome.state).toBe('applied');
      expect(ofb.applied.map((a) => a.name)).toEqual(['create-document', 'invite-member']);
    });
  });
});
