// The row-level security suite OFB's database must pass: per-table probes as `authenticated`, every policy
// needed, content and the audit log written by service_role only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDriver } from '../src/adapters/SqlDriver.js';

type Expect = 'ok' | 'rows:0' | 'rows:1+' | 'error';

/** One probe run as role `authenticated` with `sub` = `who`. */
interface Probe {
  readonly table: string;
  readonly name: string;
  readonly who: string;
  readonly sql: string;
  readonly expect: Expect;
}

const A = 'rls-ws-a';
const B = 'rls-ws-b';
const uA = 'rls-user-a';
const uB = 'rls-user-b';

/**
 * Superuser fixture: two workspaces, each with its owner, a document with one stored update, an
 * invitation, an audit row and a workflow with a run record (A also one in the trash).
 */
const fixture = `
  insert into users (id, name, password_hash) values ('${uA}', 'rls-a', 'x'), ('${uB}', 'rls-b', 'x');
  insert into workspaces (id, name, created_by) values ('${A}', 'A', '${uA}'), ('${B}', 'B', '${uB}'),
    ('${A}-2', 'A2', '${uA}');
  insert into members (workspace_id, user_id, role) values ('${A}', '${uA}', 'owner'), ('${B}', '${uB}', 'owner'),
    ('${A}', 'rls-x', 'viewer'), ('${B}', 'rls-y', 'viewer'), ('${A}-2', '${uA}', 'owner');
  insert into invitations (id, workspace_id, invitee_id, role, invited_by) values
    ('inv-a', '${A}', 'rls-i', 'viewer', '${uA}'), ('inv-b', '${B}', 'rls-j', 'viewer', '${uB}');
  insert into documents (id, workspace_id, kind, title) values ('doc-a', '${A}', 'document', 'a'),
    ('doc-b', '${B}', 'workflow', 'b');
  insert into document_updates (document_id, bytes) values ('doc-a', '\\x0100'), ('doc-b', '\\x0200');
  insert into documents (id, workspace_id, kind, title) values ('wf-a', '${A}', 'workflow', 'w'),
    ('workspace-${A}', '${A}', 'workspace', 'A');
  insert into documents (id, workspace_id, kind, title, deleted_at, deleted_by)
    values ('trashed-a', '${A}', 'document', 'gone', now(), '${uA}');
  insert into document_updates (document_id, bytes) values ('trashed-a', '\\x0103');
  insert into automerge_chunks (key, document_id, bytes) values ('{wf-a,snapshot,h1}', 'wf-a', '\\x0a'),
    ('{doc-b,snapshot,h1}', 'doc-b', '\\x0b'), ('{storage-adapter-id}', null, '\\x0c');
  insert into audit_log (actor, action, resource_kind, resource_id, workspace_id, allowed, reason, prev_hash, hash)
    values ('${uA}', 'read', 'document', 'doc-a', '${A}', true, 'allowed', '', ''),
           ('${uB}', 'read', 'document', 'doc-b', '${B}', true, 'allowed', '', '');
  insert into idempotency_keys (user_id, key, function, request_hash, status, response) values
    ('${uA}', 'key-a-0001', 'create-workspace', 'h', 200, '{}'),
    ('${uB}', 'key-b-0001', 'create-workspace', 'h', 200, '{}');
  insert into sessions (id, user_id, expires_at) values ('sess-a', '${uA}', now() + interval '1 day'),
    ('sess-b', '${uB}', now() + interval '1 day');
  insert into documents (id, workspace_id, kind, title, deleted_at, deleted_by)
    values ('trashed-wf-a', '${A}', 'workflow', 'gone', now(), '${uA}');
  insert into run_records (run_id, workflow_id, workspace_id, started_by, status, started_at, finished_at,
    heads, outputs, nodes, input_tokens, output_tokens, cost_usd, recorded_at) values
    ('run_rlsa0001', 'wf-a', '${A}', '${uA}', 'succeeded', now(), now(), '[]', '{}', 1, 0, 0, 0, now()),
    ('run_rlsb0001', 'doc-b', '${B}', '${uB}', 'failed', now(), now(), '[]', '{}', 1, 0, 0, 0, now()),
    ('run_rlst0001', 'trashed-wf-a', '${A}', '${uA}', 'succeeded', now(), now(), '[]', '{}', 1, 0, 0, 0, now());
`;

const p = (table: string, name: string, sql: string, expect: Expect, who = uA): Probe => ({
  table,
  name,
  who,
  sql,
  expect,
});

/**
 * What a member of workspace A may and may not do. Positive probes prove each policy grants what it
 * should (so dropping a policy breaks one); negative probes prove B's rows stay out of reach.
 */
const probes: Probe[] = [
  p('users', 'reads own row', `select id from users where id = '${uA}'`, 'rows:1+'),
  p(
    'users',
    'updates own row',
    `update users set name = 'rls-a2' where id = '${uA}' returning id`,
    'rows:1+',
  ),
  p(
    'users',
    'cannot take a name whose key another user holds, whatever key it writes',
    `update users set name = 'RLS-B', name_key = 'anything' where id = '${uA}' returning id`,
    'error',
  ),
  p('users', 'cannot read another user', `select id from users where id = '${uB}'`, 'rows:0'),
  p(
    'users',
    'cannot update another user',
    `update users set name = 'z' where id = '${uB}' returning id`,
    'rows:0',
  ),

  p('workspaces', 'reads own workspace', `select id from workspaces where id = '${A}'`, 'rows:1+'),
  p(
    'workspaces',
    'creates a workspace',
    `insert into workspaces (id, name, created_by) values ('new-a', 'n', '${uA}')`,
    'ok',
  ),
  p(
    'workspaces',
    'renames own workspace',
    `update workspaces set name = 'A!' where id = '${A}' returning id`,
    'rows:1+',
  ),
  p(
    'workspaces',
    'deletes own workspace',
    `delete from workspaces where id = '${A}-2' returning id`,
    'rows:1+',
  ),
  p('workspaces', 'cannot read B', `select id from workspaces where id = '${B}'`, 'rows:0'),
  p(
    'workspaces',
    'cannot create as someone else',
    `insert into workspaces (id, name, created_by) values ('new-b', 'n', '${uB}')`,
    'error',
  ),
  p(
    'workspaces',
    'cannot rename B',
    `update workspaces set name = 'x' where id = '${B}' returning id`,
    'rows:0',
  ),
  p('workspaces', 'cannot delete B', `delete from workspaces where id = '${B}' returning id`, 'rows:0'),

  p('members', 'reads A members', `select user_id from members where workspace_id = '${A}'`, 'rows:1+'),
  p(
    'members',
    'adds a member to A',
    `insert into members (workspace_id, user_id, role) values ('${A}', 'rls-z', 'editor')`,
    'ok',
  ),
  p(
    'members',
    'changes a role in A',
    `update members set role = 'editor' where workspace_id = '${A}' and user_id = 'rls-x' returning user_id`,
    'rows:1+',
  ),
  p(
    'members',
    'removes a member of A',
    `delete from members where workspace_id = '${A}' and user_id = 'rls-x' returning user_id`,
    'rows:1+',
  ),
  p('members', 'cannot read B members', `select user_id from members where workspace_id = '${B}'`, 'rows:0'),
  p(
    'members',
    'cannot join B',
    `insert into members (workspace_id, user_id, role) values ('${B}', '${uA}', 'owner')`,
    'error',
  ),
  p(
    'members',
    'cannot change a role in B',
    `update members set role = 'owner' where workspace_id = '${B}' returning user_id`,
    'rows:0',
  ),
  p(
    'members',
    'cannot remove from B',
    `delete from members where workspace_id = '${B}' returning user_id`,
    'rows:0',
  ),

  p(
    'invitations',
    'reads A invitations',
    `select id from invitations where workspace_id = '${A}'`,
    'rows:1+',
  ),
  p(
    'invitations',
    'invites to A',
    `insert into invitations (id, workspace_id, invitee_id, role, invited_by) values ('inv-a2', '${A}', 'q', 'viewer', '${uA}')`,
    'ok',
  ),
  p(
    'invitations',
    'edits an A invitation',
    `update invitations set role = 'editor' where id = 'inv-a' returning id`,
    'rows:1+',
  ),
  p(
    'invitations',
    'withdraws an A invitation',
    `delete from invitations where id = 'inv-a' returning id`,
    'rows:1+',
  ),
  p(
    'invitations',
    'cannot read B invitations',
    `select id from invitations where workspace_id = '${B}'`,
    'rows:0',
  ),
  p(
    'invitations',
    'cannot invite to B',
    `insert into invitations (id, workspace_id, invitee_id, role, invited_by) values ('inv-b2', '${B}', 'q', 'owner', '${uA}')`,
    'error',
  ),
  p(
    'invitations',
    'cannot edit a B invitation',
    `update invitations set role = 'owner' where id = 'inv-b' returning id`,
    'rows:0',
  ),
  p(
    'invitations',
    'cannot withdraw a B invitation',
    `delete from invitations where id = 'inv-b' returning id`,
    'rows:0',
  ),

  p('documents', 'reads A documents', `select id from documents where workspace_id = '${A}'`, 'rows:1+'),
  p(
    'documents',
    'creates in A',
    `insert into documents (id, workspace_id, kind, title) values ('doc-a2', '${A}', 'document', 't')`,
    'ok',
  ),
  p(
    'documents',
    'renames in A',
    `update documents set title = 't2' where id = 'doc-a' returning id`,
    'rows:1+',
  ),
  p(
    'documents',
    'cannot hard-delete in A (deleting goes to the Trash, through OFB)',
    `delete from documents where id = 'doc-a' returning id`,
    'rows:0',
  ),
  p(
    'documents',
    'cannot move a document into the Trash itself',
    `update documents set deleted_at = now(), deleted_by = '${uA}' where id = 'doc-a' returning id`,
    'error',
  ),
  p(
    'documents',
    'cannot read a trashed document',
    `select id from documents where id = 'trashed-a'`,
    'rows:0',
  ),
  p(
    'documents',
    'cannot restore a trashed document itself',
    `update documents set deleted_at = null, deleted_by = null where id = 'trashed-a' returning id`,
    'rows:0',
  ),
  p(
    'document_updates',
    "cannot read a trashed document's content",
    `select seq from document_updates where document_id = 'trashed-a'`,
    'rows:0',
  ),
  p(
    'documents',
    "cannot rename A's index document",
    `update documents set title = 'x' where id = 'workspace-${A}' returning id`,
    'rows:0',
  ),
  p(
    'documents',
    "cannot delete A's index document",
    `delete from documents where id = 'workspace-${A}' returning id`,
    'rows:0',
  ),
  p(
    'documents',
    'cannot turn a document into an index document',
    `update documents set kind = 'workspace' where id = 'doc-a' returning id`,
    'error',
  ),
  p('documents', 'cannot read B documents', `select id from documents where workspace_id = '${B}'`, 'rows:0'),
  p(
    'documents',
    'cannot create in B',
    `insert into documents (id, workspace_id, kind, title) values ('doc-b2', '${B}', 'document', 't')`,
    'error',
  ),
  p(
    'documents',
    'cannot rename in B',
    `update documents set title = 'x' where id = 'doc-b' returning id`,
    'rows:0',
  ),
  p('documents', 'cannot delete in B', `delete from documents where id = 'doc-b' returning id`, 'rows:0'),

  p(
    'document_updates',
    'reads A updates',
    `select seq from document_updates where document_id = 'doc-a'`,
    'rows:1+',
  ),
  p(
    'document_updates',
    'cannot append to an A document directly (content goes through OFB)',
    `insert into document_updates (document_id, bytes) values ('doc-a', '\\x0101')`,
    'error',
  ),
  p(
    'document_updates',
    'cannot compact an A document directly',
    `delete from document_updates where document_id = 'doc-a' returning seq`,
    'error',
  ),
  p(
    'document_updates',
    'a viewer of A cannot append',
    `insert into document_updates (document_id, bytes) values ('doc-a', '\\x0102')`,
    'error',
    'rls-x',
  ),
  p(
    'document_updates',
    'cannot read B updates',
    `select seq from document_updates where document_id = 'doc-b'`,
    'rows:0',
  ),
  p(
    'document_updates',
    'cannot append to a B document',
    `insert into document_updates (document_id, bytes) values ('doc-b', '\\x0201')`,
    'error',
  ),
  p(
    'document_updates',
    'cannot delete B updates',
    `delete from document_updates where document_id = 'doc-b' returning seq`,
    'error',
  ),
  p(
    'document_updates',
    'cannot rewrite A updates',
    `update document_updates set bytes = '\\x00' where document_id = 'doc-a' returning seq`,
    'error',
  ),

  p(
    'automerge_chunks',
    'reads A workflow chunks',
    `select key from automerge_chunks where document_id = 'wf-a'`,
    'rows:1+',
  ),
  p(
    'automerge_chunks',
    'a viewer of A reads them too',
    `select key from automerge_chunks where document_id = 'wf-a'`,
    'rows:1+',
    'rls-x',
  ),
  p(
    'automerge_chunks',
    'cannot store an A workflow chunk directly (content goes through OFB)',
    `insert into automerge_chunks (key, document_id, bytes) values ('{wf-a,incremental,h2}', 'wf-a', '\\x01')`,
    'error',
  ),
  p(
    'automerge_chunks',
    'cannot replace an A workflow chunk directly',
    `update automerge_chunks set bytes = '\\x02' where document_id = 'wf-a' returning key`,
    'error',
  ),
  p(
    'automerge_chunks',
    'cannot remove an A workflow chunk directly',
    `delete from automerge_chunks where document_id = 'wf-a' returning key`,
    'error',
  ),
  p(
    'automerge_chunks',
    'a viewer of A cannot store a chunk',
    `insert into automerge_chunks (key, document_id, bytes) values ('{wf-a,incremental,h3}', 'wf-a', '\\x01')`,
    'error',
    'rls-x',
  ),
  p(
    'automerge_chunks',
    'cannot read B chunks',
    `select key from automerge_chunks where document_id = 'doc-b'`,
    'rows:0',
  ),
  p(
    'automerge_chunks',
    'cannot store a B chunk',
    `insert into automerge_chunks (key, document_id, bytes) values ('{doc-b,incremental,h2}', 'doc-b', '\\x01')`,
    'error',
  ),
  p(
    'automerge_chunks',
    'cannot file a B key under an A workflow',
    `insert into automerge_chunks (key, document_id, bytes) values ('{doc-b,incremental,h3}', 'wf-a', '\\x01')`,
    'error',
  ),
  p(
    'automerge_chunks',
    'cannot replace B chunks',
    `update automerge_chunks set bytes = '\\x00' where document_id = 'doc-b' returning key`,
    'error',
  ),
  p(
    'automerge_chunks',
    'cannot remove B chunks',
    `delete from automerge_chunks where document_id = 'doc-b' returning key`,
    'error',
  ),
  p(
    'automerge_chunks',
    "cannot read the server's own keys",
    `select key from automerge_chunks where document_id is null`,
    'rows:0',
  ),
  p(
    'automerge_chunks',
    "cannot write a key of the server's own",
    `insert into automerge_chunks (key, document_id, bytes) values ('{storage-adapter-id-2}', null, '\\x01')`,
    'error',
  ),

  p(
    'run_records',
    'reads A run records',
    `select run_id from run_records where workflow_id = 'wf-a'`,
    'rows:1+',
  ),
  p(
    'run_records',
    'a viewer of A reads them too',
    `select run_id from run_records where workspace_id = '${A}'`,
    'rows:1+',
    'rls-x',
  ),
  p(
    'run_records',
    "cannot read a trashed workflow's run records",
    `select run_id from run_records where workflow_id = 'trashed-wf-a'`,
    'rows:0',
  ),
  p(
    'run_records',
    'cannot record a run in A directly (records go through OFB, audited)',
    `insert into run_records (run_id, workflow_id, workspace_id, started_by, status, started_at, finished_at,
       heads, outputs, nodes, input_tokens, output_tokens, cost_usd, recorded_at)
     values ('run_rlsa0002', 'wf-a', '${A}', '${uA}', 'succeeded', now(), now(), '[]', '{}', 1, 0, 0, 0, now())`,
    'error',
  ),
  p(
    'run_records',
    'cannot rewrite an A run record, even its own',
    `update run_records set cost_usd = 0 where run_id = 'run_rlsa0001' returning run_id`,
    'error',
  ),
  p(
    'run_records',
    'cannot delete an A run record, even its own',
    `delete from run_records where run_id = 'run_rlsa0001' returning run_id`,
    'error',
  ),
  p('run_records', 'cannot truncate run records', 'truncate run_records', 'error'),
  p(
    'run_records',
    'cannot read B run records',
    `select run_id from run_records where workspace_id = '${B}' or workflow_id = 'doc-b'`,
    'rows:0',
  ),
  p(
    'run_records',
    "a member of B cannot read A's run records",
    `select run_id from run_records where workflow_id = 'wf-a'`,
    'rows:0',
    uB,
  ),

  p('audit_log', 'owner reads A audit', `select seq from audit_log where workspace_id = '${A}'`, 'rows:1+'),
  p(
    'audit_log',
    'cannot append even its own A audit row (OFB writes the audit)',
    `insert into audit_log (actor, action, resource_kind, resource_id, workspace_id, allowed, reason, prev_hash, hash) values ('${uA}', 'read', 'document', 'doc-a', '${A}', true, 'allowed', '', '')`,
    'error',
  ),
  p('audit_log', 'cannot read B audit', `select seq from audit_log where workspace_id = '${B}'`, 'rows:0'),
  p(
    'audit_log',
    'cannot append to B audit',
    `insert into audit_log (actor, action, resource_kind, resource_id, workspace_id, allowed, reason, prev_hash, hash) values ('${uA}', 'read', 'document', 'doc-b', '${B}', true, 'allowed', '', '')`,
    'error',
  ),
  p(
    'audit_log',
    'cannot append as someone else',
    `insert into audit_log (actor, action, resource_kind, resource_id, workspace_id, allowed, reason, prev_hash, hash) values ('${uB}', 'read', 'document', 'doc-a', '${A}', true, 'allowed', '', '')`,
    'error',
  ),
  p(
    'audit_log',
    'cannot update A audit',
    `update audit_log set reason = 'x' where workspace_id = '${A}'`,
    'error',
  ),
  p('audit_log', 'cannot delete A audit', `delete from audit_log where workspace_id = '${A}'`, 'error'),

  p(
    'idempotency_keys',
    'reads own stored answers',
    `select key from idempotency_keys where user_id = '${uA}'`,
    'rows:1+',
  ),
  p(
    'idempotency_keys',
    'stores an answer of its own',
    `insert into idempotency_keys (user_id, key, function, request_hash, status, response) values ('${uA}', 'key-a-0002', 'create-workspace', 'h', 200, '{}')`,
    'ok',
  ),
  p(
    'idempotency_keys',
    "cannot read B's stored answers",
    `select key from idempotency_keys where user_id = '${uB}'`,
    'rows:0',
  ),
  p(
    'idempotency_keys',
    'cannot store an answer as someone else',
    `insert into idempotency_keys (user_id, key, function, request_hash, status, response) values ('${uB}', 'key-b-0002', 'create-workspace', 'h', 200, '{}')`,
    'error',
  ),
  p(
    'idempotency_keys',
    'cannot rewrite a stored answer, even its own',
    `update idempotency_keys set status = 409 where user_id = '${uA}' returning key`,
    'error',
  ),
  p(
    'idempotency_keys',
    'cannot delete a stored answer, even its own',
    `delete from idempotency_keys where user_id = '${uA}' returning key`,
    'error',
  ),

  p('sessions', 'reads own sessions', `select id from sessions where user_id = '${uA}'`, 'rows:1+'),
  p('sessions', "cannot read B's sessions", `select id from sessions where user_id = '${uB}'`, 'rows:0'),
  p(
    'sessions',
    'cannot start a session (only OFB does)',
    `insert into sessions (id, user_id, expires_at) values ('sess-a2', '${uA}', now() + interval '1 day')`,
    'error',
  ),
  p(
    'sessions',
    'cannot un-revoke or extend a session, even its own',
    `update sessions set expires_at = now() + interval '100 years' where id = 'sess-a' returning id`,
    'error',
  ),
];

class Rollback extends Error {
  override name = 'Rollback';
}

const tablesWithoutRls = `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity order by 1`;

/** The RLS suite: catalog, isolation per table, policy mutation, append-only audit. */
export function runRlsTests(name: string, makeDb: () => Promise<SqlDriver>): void {
  describe(`row-level security: ${name}`, () => {
    let db: SqlDriver;
    beforeAll(async () => {
      db = await makeDb();
      await db.exec(fixture);
    });
    afterAll(async () => {
      await db?.close();
    });

    it('every table in public has RLS enabled (and the check catches one that does not)', async () => {
      expect(await db.query(tablesWithoutRls)).toEqual([]);
      const caught = await inRolledBack(db, async (tx) => {
        await tx.exec('create table public.sneaky (id int)');
        return tx.query<{ relname: string }>(tablesWithoutRls);
      });
      expect(caught.map((r) => r.relname)).toEqual(['sneaky']);
    });

    it('probes cover every table in public', async () => {
      const tables = (
        await db.query<{ relname: string }>(
          `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`,
        )
      ).map((r) => r.relname);
      expect([...new Set(probes.map((pr) => pr.table))].sort()).toEqual(tables);
    });

    it("a member of A can use A's rows and can neither read nor write B's, in every table", async () => {
      expect(await inRolledBack(db, runProbes)).toEqual([]);
    });

    it('content, run records and the audit log are written by service_role only (OFB), not by authenticated', async () => {
      const refused = await inRolledBack(db, async (tx) => {
        const grants = await tx.query<{ table_name: string; privilege_type: string }>(
          `select table_name, privilege_type from information_schema.role_table_grants
           where grantee in ('authenticated', 'anon') and table_schema = 'public'
             and table_name in ('document_updates', 'automerge_chunks', 'audit_log', 'run_records')
             and privilege_type in ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')`,
        );
        await tx.query('set local role service_role');
        await tx.query(`insert into document_updates (document_id, bytes) values ('doc-a', '\\x0103')`);
        await tx.query(
          `insert into automerge_chunks (key, document_id, bytes) values ('{wf-a,incremental,s1}', 'wf-a', '\\x01')`,
        );
        await tx.query(
          `insert into run_records (run_id, workflow_id, workspace_id, started_by, status, started_at, finished_at,
             heads, outputs, nodes, input_tokens, output_tokens, cost_usd, recorded_at)
           values ('run_rlss0001', 'wf-a', '${A}', '${uA}', 'succeeded', now(), now(), '[]', '{}', 1, 0, 0, 0, now())`,
        );
        return grants;
      });
      expect(refused).toEqual([]);
    });

    it('dropping any one policy makes at least one probe fail', async () => {
      const policies = await db.query<{ tablename: string; policyname: string }>(
        `select tablename, policyname from pg_policies where schemaname = 'public' order by 1, 2`,
      );
      expect(policies.length).toBeGreaterThanOrEqual(20);
      const undetected: string[] = [];
      for (const { tablename, policyname } of policies) {
        const failures = await inRolledBack(db, async (tx) => {
          await tx.exec(`drop policy "${policyname}" on public."${tablename}"`);
          return runProbes(tx);
        });
        if (failures.length === 0) undetected.push(`${tablename}.${policyname}`);
      }
      expect(undetected).toEqual([]);
    });

    it('audit_log refuses UPDATE, DELETE and TRUNCATE even for its owner (a superuser)', async () => {
      for (const statement of [
        `update audit_log set reason = 'tampered'`,
        'delete from audit_log',
        'truncate audit_log',
      ]) {
        await expect(
          inRolledBack(db, (tx) => tx.exec(statement)),
          statement,
        ).rejects.toThrow(/append-only/);
      }
      expect((await db.query('select seq from audit_log')).length).toBeGreaterThanOrEqual(2);
    });

    it('a write and its audit row commit together: a failure after both rolls back both', async () => {
      const before = await db.query<{ n: unknown }>('select count(*) as n from audit_log');
      await expect(
        db.transaction(async (tx) => {
          await tx.query(
            `insert into documents (id, workspace_id, kind, title) values ('atomic', '${A}', 'document', 't')`,
          );
          await tx.query(
            `insert into audit_log (actor, action, resource_kind, resource_id, workspace_id, allowed, reason, prev_hash, hash)
             values ('${uA}', 'write', 'document', 'atomic', '${A}', true, 'allowed', '', '')`,
          );
          throw new Error('forced failure');
        }),
      ).rejects.toThrow('forced failure');
      expect(await db.query(`select id from documents where id = 'atomic'`)).toEqual([]);
      expect(await db.query<{ n: unknown }>('select count(*) as n from audit_log')).toEqual(before);
    });
  });
}

/** Runs every probe inside `tx`, each in a savepoint that is rolled back; returns the failures. */
async function runProbes(tx: SqlDriver): Promise<string[]> {
  const failures: string[] = [];
  for (const probe of probes) {
    await tx.query('savepoint probe');
    let outcome: Expect;
    try {
      await tx.query('set local role authenticated');
      await tx.query(`select set_config('request.jwt.claims', $1, true)`, [
        JSON.stringify({ sub: probe.who, role: 'authenticated' }),
      ]);
      const rows = await tx.query(probe.sql);
      outcome = probe.expect === 'ok' ? 'ok' : rows.length > 0 ? 'rows:1+' : 'rows:0';
    } catch {
      outcome = 'error';
    }
    await tx.query('rollback to savepoint probe');
    if (outcome !== probe.expect)
      failures.push(`${probe.table}: ${probe.name} (expected ${probe.expect}, got ${outcome})`);
  }
  return failures;
}

/** Runs `fn` in a transaction that is always rolled back, and returns what `fn` returned. */
async function inRolledBack<T>(db: SqlDriver, fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await db
    .transaction(async (tx) => {
      result = await fn(tx);
      throw new Rollback();
    })
    .catch((error) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return result as T;
}
