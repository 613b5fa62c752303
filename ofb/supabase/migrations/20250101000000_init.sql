-- Symphony OFB: initial schema. Runs on PGlite, PostgreSQL 15 and Supabase.
-- Every table in public has row-level security; policies read the caller from the JWT claims.

-- Roles and the auth schema as Supabase has them (created only where missing).
do $$
declare r text;
begin
  foreach r in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select 1 from pg_roles where rolname = r) then
      begin
        execute format('create role %I nologin noinherit', r);
      exception when duplicate_object or unique_violation then null;
      end;
    end if;
  end loop;
end $$;
alter role service_role bypassrls;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

-- auth.uid(): the caller's id from request.jwt.claims. Supabase already has one (returning uuid);
-- policies compare `auth.uid()::text`, so either works.
do $$
begin
  if not exists (
    select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'auth' and p.proname = 'uid'
  ) then
    execute $f$
      create function auth.uid() returns text language sql stable as $b$
        select nullif(current_setting('request.jwt.claims', true)::json ->> 'sub', '')
      $b$
    $f$;
  end if;
end $$;

create table public.users (
  id text primary key,
  name text not null unique,
  password_hash text not null,
  created_at timestamptz not null default now()
);

create table public.workspaces (
  id text primary key,
  name text not null,
  created_by text not null,
  created_at timestamptz not null default now()
);

create table public.members (
  workspace_id text not null references public.workspaces (id) on delete cascade,
  user_id text not null,
  role text not null check (role in ('owner', 'editor', 'viewer')),
  created_at timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
create index members_user_idx on public.members (user_id);

create table public.invitations (
  id text primary key,
  workspace_id text not null references public.workspaces (id) on delete cascade,
  invitee_id text not null,
  role text not null check (role in ('owner', 'editor', 'viewer')),
  invited_by text not null,
  created_at timestamptz not null default now(),
  unique (workspace_id, invitee_id)
);

create table public.documents (
  id text primary key,
  workspace_id text not null references public.workspaces (id) on delete cascade,
  kind text not null check (kind in ('document', 'workflow')),
  title text not null,
  size_bytes integer not null default 0 check (size_bytes >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index documents_workspace_idx on public.documents (workspace_id);

create table public.audit_log (
  seq bigserial primary key,
  at timestamptz not null default now(),
  actor text not null,
  action text not null,
  resource_kind text not null,
  resource_id text not null,
  workspace_id text,
  allowed boolean not null,
  reason text not null,
  prev_hash text not null,
  hash text not null
);
create index audit_log_workspace_idx on public.audit_log (workspace_id, seq);

-- Membership checks for policies. SECURITY DEFINER so a policy on `members` can read `members`
-- without recursing into its own policy.
create function public.ofb_has_role(ws text, least_role text) returns boolean
language sql stable security definer set search_path = public as $$
  select exists (
    select 1 from public.members m
    where m.workspace_id = ws and m.user_id = (auth.uid())::text
      and (case m.role when 'owner' then 3 when 'editor' then 2 else 1 end)
        >= (case least_role when 'owner' then 3 when 'editor' then 2 else 1 end)
  )
$$;

create function public.ofb_created_by_me(ws text) returns boolean
language sql stable security definer set search_path = public as $$
  select exists (select 1 from public.workspaces w where w.id = ws and w.created_by = (auth.uid())::text)
$$;

-- The audit chain: each row's hash covers the previous row's hash and this row's canonical content.
-- Canonical content is json_build_array(...)::text; `symphony audit verify` recomputes it in TypeScript.
create function public.ofb_audit_canonical(a public.audit_log) returns text
language sql immutable as $$
  select json_build_array(
    a.seq, to_char(a.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), a.actor, a.action,
    a.resource_kind, a.resource_id, a.workspace_id, a.allowed, a.reason
  )::text
$$;

create function public.ofb_audit_chain() returns trigger
language plpgsql security definer set search_path = public as $$
declare previous text;
begin
  -- One writer at a time extends the chain, so two transactions never fork it.
  perform pg_advisory_xact_lock(727100);
  select hash into previous from public.audit_log order by seq desc limit 1;
  new.prev_hash := coalesce(previous, repeat('0', 64));
  new.hash := encode(sha256(convert_to(new.prev_hash || public.ofb_audit_canonical(new), 'UTF8')), 'hex');
  return new;
end $$;

create trigger audit_log_chain before insert on public.audit_log
  for each row execute function public.ofb_audit_chain();

create function public.ofb_audit_append_only() returns trigger
language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end $$;

create trigger audit_log_append_only before update or delete on public.audit_log
  for each row execute function public.ofb_audit_append_only();
create trigger audit_log_no_truncate before truncate on public.audit_log
  for each statement execute function public.ofb_audit_append_only();

-- Row-level security on every table.
alter table public.users enable row level security;
alter table public.workspaces enable row level security;
alter table public.members enable row level security;
alter table public.invitations enable row level security;
alter table public.documents enable row level security;
alter table public.audit_log enable row level security;

grant usage on schema public to anon, authenticated, service_role;
grant select, update on public.users to authenticated;
grant select, insert, update, delete on public.workspaces, public.members, public.invitations, public.documents
  to authenticated;
grant select, insert on public.audit_log to authenticated;
grant usage on sequence public.audit_log_seq_seq to authenticated;
grant all on all tables in schema public to service_role;
grant all on all sequences in schema public to service_role;

create policy users_select_self on public.users for select to authenticated
  using (id = (auth.uid())::text);
create policy users_update_self on public.users for update to authenticated
  using (id = (auth.uid())::text) with check (id = (auth.uid())::text);

create policy workspaces_select_member on public.workspaces for select to authenticated
  using (public.ofb_has_role(id, 'viewer') or created_by = (auth.uid())::text);
create policy workspaces_insert_self on public.workspaces for insert to authenticated
  with check (created_by = (auth.uid())::text);
create policy workspaces_update_owner on public.workspaces for update to authenticated
  using (public.ofb_has_role(id, 'owner')) with check (public.ofb_has_role(id, 'owner'));
create policy workspaces_delete_owner on public.workspaces for delete to authenticated
  using (public.ofb_has_role(id, 'owner'));

create policy members_select_member on public.members for select to authenticated
  using (public.ofb_has_role(workspace_id, 'viewer'));
create policy members_insert_owner on public.members for insert to authenticated
  with check (
    public.ofb_has_role(workspace_id, 'owner')
    or (user_id = (auth.uid())::text and role = 'owner' and public.ofb_created_by_me(workspace_id))
  );
create policy members_update_owner on public.members for update to authenticated
  using (public.ofb_has_role(workspace_id, 'owner')) with check (public.ofb_has_role(workspace_id, 'owner'));
create policy members_delete_owner on public.members for delete to authenticated
  using (public.ofb_has_role(workspace_id, 'owner'));

create policy invitations_select on public.invitations for select to authenticated
  using (public.ofb_has_role(workspace_id, 'viewer') or invitee_id = (auth.uid())::text);
create policy invitations_insert_owner on public.invitations for insert to authenticated
  with check (public.ofb_has_role(workspace_id, 'owner') and invited_by = (auth.uid())::text);
create policy invitations_update_owner on public.invitations for update to authenticated
  using (public.ofb_has_role(workspace_id, 'owner')) with check (public.ofb_has_role(workspace_id, 'owner'));
create policy invitations_delete on public.invitations for delete to authenticated
  using (public.ofb_has_role(workspace_id, 'owner') or invitee_id = (auth.uid())::text);

create policy documents_select_member on public.documents for select to authenticated
  using (public.ofb_has_role(workspace_id, 'viewer'));
create policy documents_insert_editor on public.documents for insert to authenticated
  with check (public.ofb_has_role(workspace_id, 'editor'));
create policy documents_update_editor on public.documents for update to authenticated
  using (public.ofb_has_role(workspace_id, 'editor')) with check (public.ofb_has_role(workspace_id, 'editor'));
create policy documents_delete_editor on public.documents for delete to authenticated
  using (public.ofb_has_role(workspace_id, 'editor'));

create policy audit_select_owner on public.audit_log for select to authenticated
  using (public.ofb_has_role(workspace_id, 'owner'));
create policy audit_insert_self on public.audit_log for insert to authenticated
  with check (actor = (auth.uid())::text and public.ofb_has_role(workspace_id, 'viewer'));
