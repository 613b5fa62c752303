// Run records through OFB's functions on PGlite and PostgreSQL: record-run (editor+, audited in its
// transaction, once per run id) and list-runs (viewer+), refusals, the audit chain, and RLS on the rows.
import { ErrorBody, MAX_RUN_RECORDS_LISTED, OfbErrorCode, OfbLimits } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHashSql } from '../src/adapters/audit-chain.js';
import { PgliteStore } from '../src/adapters/PgliteStore.js';
import { PostgresStore } from '../src/adapters/PostgresStore.js';
import type { SqlOfbStore } from '../src/adapters/SqlOfbStore.js';
import {
  type OfbReply,
  type PostgresServer,
  startPostgres,
  startTestOfb,
  type TestOfb,
  type TestUser,
} from '../src/testing.js';

let pg: PostgresServer | undefined;
afterAll(() => pg?.stop());

runRecordTests('PGlite', () => PgliteStore.open('memory://'));
runRecordTests('PostgreSQL 15', async () => {
  pg = await startPostgres();
  return PostgresStore.open(await pg.createDatabase('run_records'));
});

let runs = 0;
/** A fresh run id of the orchestrator's shape (`run_` and base-36 characters). */
const freshRunId = () => `run_${Date.now().toString(36)}${(++runs).toString(36).padStart(6, '0')}`;
const HASH = 'ab'.repeat(32);

/** A `record-run` body for `workflowId`, with `fields` over a plausible finished run. */
function recordBody(workflowId: string, fields: Record<string, unknown> = {}) {
  return {
    workflowId,
    runId: freshRunId(),
    status: 'succeeded',
    startedAt: 1_750_000_000_000,
    finishedAt: 1_750_000_042_500,
    heads: ['a1b2c3'],
    outputs: { read: { document: HASH }, summarize: { summary: 'cd'.repeat(32) } },
    nodes: 2,
    inputTokens: 1200,
    outputTokens: 340,
    costUsd: 0.0187,
    ...fields,
  };
}

/** Asserts a refusal: its status, the shared error shape and its code. */
function expectRefused(reply: OfbReply, status: number, code: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(ErrorBody.parse(reply.body).error.code).toBe(code);
}

function runRecordTests(name: string, open: () => Promise<SqlOfbStore>): void {
  describe(`run records: ${name}`, () => {
    let store: SqlOfbStore;
    let ofb: TestOfb<SqlOfbStore>;
    const clock = 1_750_000_100_000;
    let owner: TestUser;
    let editor: TestUser;
    let viewer: TestUser;
    let outsider: TestUser;
    let workspaceId: string;
    let workflowId: string;
    let flows = 0;

    beforeAll(async () => {
      store = await open();
      ofb = await startTestOfb({ store, now: () => clock });
      [owner, editor, viewer, outsider] = await Promise.all([
        ofb.signUp(),
        ofb.signUp(),
        ofb.signUp(),
        ofb.signUp(),
      ]);
      workspaceId = await ofb.createWorkspace(owner, [
        { user: editor, role: 'editor' },
        { user: viewer, role: 'viewer' },
      ]);
      workflowId = await newWorkflow(workspaceId, owner);
    }, 60_000);
    afterAll(async () => {
      await ofb?.close();
      await store?.close();
    });

    /** A fresh workflow in `ws`, created by `by`. */
    async function newWorkflow(ws: string, by: TestUser): Promise<string> {
      const { document } = await ofb.ok(
        'create-document',
        { workspaceId: ws, id: `runs-flow-${++flows}`, kind: 'workflow', title: `Flow ${flows}` },
        by.token,
      );
      return document.id;
    }

    /** The `record-run` audit rows naming `runId`. */
    const recordAudits = async (runId: string) =>
      (await store.listAudit({ limit: 100_000 })).filter(
        (a) => a.action === 'record-run' && a.reason.includes(`run_id=${runId} `),
      );

    it('records a run as the token’s user, audited with the record, and lists it newest first', async () => {
      const flow = await newWorkflow(workspaceId, editor);
      const older = recordBody(flow, { startedAt: 1_700_000_000_000, finishedAt: 1_700_000_000_900 });
      const newer = recordBody(flow, { status: 'failed', rerunOf: older.runId, heads: [] });
      const first = await ofb.ok('record-run', older, editor.token);
      const expected = {
        ...older,
        workspaceId,
        startedBy: { userId: editor.id, name: editor.name },
        recordedAt: clock,
      };
      expect(first).toEqual({ record: expected, created: true });
      await ofb.ok('record-run', newer, owner.token);

      const { runs: listed } = await ofb.ok('list-runs', { workflowId: flow }, viewer.token);
      expect(listed.map((r) => [r.runId, r.startedBy.name, r.status])).toEqual([
        [newer.runId, owner.name, 'failed'],
        [older.runId, editor.name, 'succeeded'],
      ]);
      expect(listed[1]).toEqual(expected);
      expect(listed[0]!.rerunOf).toBe(older.runId);
      expect((await ofb.ok('list-runs', { workflowId: flow, limit: 1 }, viewer.token)).runs).toHaveLength(1);
      expect((await ofb.ok('list-runs', { workflowId }, viewer.token)).runs).toEqual([]);

      const [audit] = await recordAudits(older.runId);
      expect(audit).toMatchObject({
        actor: editor.id,
        resourceKind: 'workflow',
        resourceId: flow,
        workspaceId,
        allowed: true,
        reason: `allowed; run_id=${older.runId} status=succeeded cost_usd=0.0187`,
      });
    });

    it('lists 50 records unless asked for more, and at most MAX_RUN_RECORDS_LISTED', async () => {
      const flow = await newWorkflow(workspaceId, editor);
      for (let i = 0; i < 52; i++)
        await ofb.ok('record-run', recordBody(flow, { startedAt: i, finishedAt: i + 1 }), editor.token);
      const { runs: page } = await ofb.ok('list-runs', { workflowId: flow }, viewer.token);
      expect(page.map((r) => r.startedAt)).toEqual(Array.from({ length: 50 }, (_, i) => 51 - i));
      expect((await ofb.ok('list-runs', { workflowId: flow, limit: 60 }, viewer.token)).runs).toHaveLength(
        52,
      );
      expectRefused(
        await ofb.call('list-runs', { workflowId: flow, limit: MAX_RUN_RECORDS_LISTED + 1 }, viewer.token),
        422,
        OfbErrorCode.invalidRequest,
      );
    });

    it('refuses a viewer (role_too_low) and a non-member (not_a_member), audits the denial, stores nothing', async () => {
      for (const [user, code] of [
        [viewer, OfbErrorCode.roleTooLow],
        [outsider, OfbErrorCode.notAMember],
      ] as const) {
        const body = recordBody(workflowId);
        expectRefused(await ofb.call('record-run', body, user.token), 403, code);
        const denials = (await store.listAudit({ workspaceId, limit: 100_000 })).filter(
          (a) => a.actor === user.id && a.resourceId === workflowId && !a.allowed,
        );
        expect(denials.at(-1)).toMatchObject({ action: 'write', resourceKind: 'workflow', reason: code });
        expect(await store.getRunRecord(body.runId)).toBeNull();
      }
      expectRefused(
        await ofb.call('list-runs', { workflowId }, outsider.token),
        403,
        OfbErrorCode.notAMember,
      );
      expect((await ofb.ok('list-runs', { workflowId }, editor.token)).runs).toEqual([]);
    });

    it('answers 404 for an unknown workflow, a document that is no workflow and a workflow in the trash', async () => {
      const { document } = await ofb.ok(
        'create-document',
        { workspaceId, kind: 'document', title: 'Notes' },
        editor.token,
      );
      const trashed = await newWorkflow(workspaceId, editor);
      await ofb.ok('delete-document', { documentId: trashed }, editor.token);
      for (const id of ['no-such-flow', document.id, trashed]) {
        expectRefused(
          await ofb.call('record-run', recordBody(id), editor.token),
          404,
          OfbErrorCode.documentNotFound,
        );
        expectRefused(
          await ofb.call('list-runs', { workflowId: id }, editor.token),
          404,
          OfbErrorCode.documentNotFound,
        );
      }
    });

    it('records a run id once: a repeat answers the stored record, created false, and writes nothing', async () => {
      const body = recordBody(workflowId);
      const first = await ofb.ok('record-run', body, editor.token);
      const auditRows = (await store.listAudit({ limit: 100_000 })).length;
      // Another editor's repeat, saying something else, changes nothing either.
      const again = await ofb.ok('record-run', { ...body, status: 'cancelled', costUsd: 9 }, owner.token);
      expect(again).toEqual({ record: first.record, created: false });
      expect((await store.listAudit({ limit: 100_000 })).length).toBe(auditRows);
      expect(await recordAudits(body.runId)).toHaveLength(1);
    });

    it('records concurrent duplicates once: one created, the others answered the stored record', async () => {
      const body = recordBody(workflowId);
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => ofb.ok('record-run', body, editor.token)),
      );
      expect(answers.filter((a) => a.created)).toHaveLength(1);
      for (const a of answers) expect(a.record).toEqual(answers[0]!.record);
      expect(await recordAudits(body.runId)).toHaveLength(1);
    });

    it('refuses a run id recorded for another workflow (409), naming it only to whoever may read it', async () => {
      const body = recordBody(workflowId);
      await ofb.ok('record-run', body, editor.token);
      const sibling = await newWorkflow(workspaceId, editor);
      const member = await ofb.call('record-run', { ...body, workflowId: sibling }, editor.token);
      expectRefused(member, 409, OfbErrorCode.runRecordedElsewhere);
      expect(member.body.error.message).toContain(workflowId);
      expect(member.body.error.details).toEqual({ workflowId });

      const theirs = await ofb.createWorkspace(outsider);
      const foreign = await ofb.call(
        'record-run',
        { ...body, workflowId: await newWorkflow(theirs, outsider) },
        outsider.token,
      );
      expectRefused(foreign, 409, OfbErrorCode.runRecordedElsewhere);
      expect(foreign.body.error.message).not.toContain(workflowId);
      expect(foreign.body.error.details).toBeUndefined();
      expect((await store.getRunRecord(body.runId))?.workflowId).toBe(workflowId);
    });

    it('refuses malformed records with 422 naming the field, and a body over its limit with 413', async () => {
      const manyNodes = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`n${i}`, {}]));
      for (const [fields, path] of [
        [{ runId: 'not-a-run' }, 'runId'],
        [{ runId: 'run_UPPER12345' }, 'runId'],
        [{ outputs: manyNodes }, 'outputs'],
        [{ outputs: { n1: { out: 'not-a-hash' } } }, 'outputs'],
        [{ costUsd: -0.01 }, 'costUsd'],
        [{ inputTokens: 1.5 }, 'inputTokens'],
        [{ status: 'running' }, 'status'],
        [{ finishedAt: 1_749_999_999_999 }, 'finishedAt'],
        [{ startedBy: editor.id }, ''],
      ] as const) {
        const reply = await ofb.call('record-run', recordBody(workflowId, fields), editor.token);
        expectRefused(reply, 422, OfbErrorCode.invalidRequest);
        const paths = reply.body.error.details.issues.map((i: { path: string[] }) => i.path[0] ?? '');
        expect(paths, JSON.stringify(fields).slice(0, 80)).toContain(path);
      }
      const tooLarge = recordBody(workflowId, {
        heads: Array.from({ length: 1000 }, () => 'h'.repeat(128)),
        outputs: Object.fromEntries(
          Array.from({ length: 9000 }, (_, i) => [`node-${i}`, { ['p'.repeat(64)]: HASH }]),
        ),
      });
      expect(JSON.stringify(tooLarge).length).toBeGreaterThan(OfbLimits.maxRunRecordBodyBytes);
      // In process (`address`): a socket would be closed under a body this large as soon as it is refused.
      expectRefused(
        await ofb.call('record-run', tooLarge, editor.token, { address: '127.0.0.1' }),
        413,
        OfbErrorCode.bodyTooLarge,
      );
      // A large run's record, well over the 64 KiB of other bodies, fits.
      const large = recordBody(workflowId, {
        outputs: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`node-${i}`, { out: HASH }])),
        nodes: 2000,
      });
      expect(JSON.stringify(large).length).toBeGreaterThan(OfbLimits.maxJsonBodyBytes);
      expect((await ofb.ok('record-run', large, editor.token)).created).toBe(true);
      // The text net under the schemas: a NUL in a head is refused, not a 500.
      expectRefused(
        await ofb.call('record-run', recordBody(workflowId, { heads: ['a\u0000'] }), editor.token),
        422,
        OfbErrorCode.invalidText,
      );
      expect((await ofb.ok('list-runs', { workflowId }, viewer.token)).runs.length).toBeGreaterThan(0);
    });

    it('keeps the audit chain intact through records and refusals', async () => {
      const rows = await store.db.query<{ prev_hash: string; hash: string; recomputed: string }>(
        `select a.prev_hash, a.hash, ${auditHashSql('a')} as recomputed from audit_log a order by a.seq`,
      );
      expect(rows.length).toBeGreaterThan(10);
      for (const [i, row] of rows.entries()) {
        expect(row.recomputed).toBe(row.hash);
        if (i > 0) expect(row.prev_hash).toBe(rows[i - 1]!.hash);
      }
    });

    it('lets members select the records directly (RLS), and nobody else', async () => {
      const body = recordBody(workflowId);
      await ofb.ok('record-run', body, editor.token);
      const visibleTo = async (userId: string) => {
        let seen: string[] = [];
        await store.db
          .transaction(async (tx) => {
            await tx.query('set local role authenticated');
            await tx.query(`select set_config('request.jwt.claims', $1, true)`, [
              JSON.stringify({ sub: userId, role: 'authenticated' }),
            ]);
            seen = (
              await tx.query<{ run_id: string }>('select run_id from run_records where run_id = $1', [
                body.runId,
              ])
            ).map((r) => r.run_id);
            throw new Error('rollback');
          })
          .catch((error: Error) => {
            if (error.message !== 'rollback') throw error;
          });
        return seen;
      };
      expect(await visibleTo(viewer.id)).toEqual([body.runId]);
      expect(await visibleTo(outsider.id)).toEqual([]);
    });
  });
}
