-- Symphony OFB: a short record of each finished run (who, when, the pinned version, status, output
-- hashes, cost), so a team's run history survives any one laptop. OFB writes a record through
-- `record-run` only, with its audit row in the same transaction; the row is never changed after.
-- A workflow's records go when its row does (purged from the trash): they are part of its content.

create table public.run_records (
  run_id text primary key,
  workflow_id text not null references public.documents (id) on delete cascade,
  workspace_id text not null references public.workspaces (id) on delete cascade,
  -- The user whose token recorded it (the run's starter); no foreign key: a record outlives an account.
  started_by text not null,
  status text not null check (status in ('succeeded', 'failed', 'cancelled')),
  started_at timestamptz not null,
  finished_at timestamptz not null,
  -- The workflow's Automerge heads the run was pinned to, and each node's output hashes by node id.
  heads jsonb not null check (jsonb_typeof(heads) = 'array'),
  outputs jsonb not null check (jsonb_typeof(outputs) = 'object'),
  nodes bigint not null check (nodes >= 0),
  input_tokens bigint not null check (input_tokens >= 0),
  output_tokens bigint not null check (output_tokens >= 0),
  cost_usd double precision not null check (cost_usd >= 0),
  -- The run this one re-ran; no foreign key: that run may have been recorded elsewhere, or not at all.
  rerun_of text,
  recorded_at timestamptz not null,
  constraint run_records_finished_after_start check (finished_at >= started_at)
);

-- list-runs: a workflow's records, newest first.
create index run_records_workflow_idx on public.run_records (workflow_id, started_at desc, run_id desc);
create index run_records_workspace_idx on public.run_records (workspace_id);

alter table public.run_records enable row level security;

-- Members read their workflows' records (not a trashed workflow's, like its content); nobody but
-- service_role (OFB, bypassrls) writes them: no insert, update, delete or truncate grant (revoked
-- first: Supabase's default privileges grant every new table to anon and authenticated, and RLS does
-- not hold back a TRUNCATE), and no write policy.
revoke all on public.run_records from anon, authenticated;
grant select on public.run_records to authenticated;
grant all on public.run_records to service_role;

create policy run_records_select_member on public.run_records for select to authenticated
  using (public.ofb_has_document_role(workflow_id, 'viewer'));
