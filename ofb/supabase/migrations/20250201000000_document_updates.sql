-- Symphony OFB: the stored Yjs updates of each document (persist on sync).
-- Rows of one document, in `seq` order, applied in turn give its stored state. Compaction replaces
-- every row up to a seq with one row holding the merged state, under the largest replaced seq, so
-- the order is kept. `seq` is global (a bigserial), so concurrent appends never collide.

create table public.document_updates (
  document_id text not null references public.documents (id) on delete cascade,
  seq bigserial not null,
  bytes bytea not null,
  created_at timestamptz not null default now(),
  primary key (document_id, seq)
);

-- The caller's role in the workspace of a document. SECURITY DEFINER, so the check does not depend
-- on the policies of `documents` (each policy is tested on its own).
create function public.ofb_has_document_role(doc text, least_role text) returns boolean
language sql stable security definer set search_path = public as $$
  select exists (
    select 1 from public.documents d where d.id = doc and public.ofb_has_role(d.workspace_id, least_role)
  )
$$;

alter table public.document_updates enable row level security;

grant select, insert, delete on public.document_updates to authenticated;
grant usage on sequence public.document_updates_seq_seq to authenticated;
grant all on public.document_updates to service_role;
grant all on sequence public.document_updates_seq_seq to service_role;

create policy document_updates_select_member on public.document_updates for select to authenticated
  using (public.ofb_has_document_role(document_id, 'viewer'));
create policy document_updates_insert_editor on public.document_updates for insert to authenticated
  with check (public.ofb_has_document_role(document_id, 'editor'));
create policy document_updates_delete_editor on public.document_updates for delete to authenticated
  using (public.ofb_has_document_role(document_id, 'editor'));
