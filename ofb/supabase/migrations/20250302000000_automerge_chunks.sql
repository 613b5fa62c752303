-- Symphony OFB: automerge-repo's storage (StorageAdapterInterface) for the sync-server's
-- `/automerge` endpoint. One row per storage key: `[documentId, 'snapshot' | 'incremental' |
-- 'sync-state', …]` for a workflow, or a key of the server's own (`['storage-adapter-id']`), whose
-- row has no document. A workflow's chunks go when its document does (on delete cascade).

create table public.automerge_chunks (
  key text[] primary key,
  document_id text references public.documents (id) on delete cascade,
  bytes bytea not null,
  -- Insertion order: ranges come back in the order keys were first saved, as automerge-repo's own
  -- storage tests expect (a replaced chunk keeps its place).
  seq bigserial not null,
  created_at timestamptz not null default now(),
  -- A document's chunks are keyed under its id, so a row can never pose as another document's.
  constraint automerge_chunks_key_names_document check (document_id is null or key[1] = document_id),
  constraint automerge_chunks_key_not_empty check (cardinality(key) between 1 and 8)
);

-- loadRange / removeRange look a prefix up by its first part.
create index automerge_chunks_first_part on public.automerge_chunks ((key[1]));

alter table public.automerge_chunks enable row level security;

grant select, insert, update, delete on public.automerge_chunks to authenticated;
grant usage on sequence public.automerge_chunks_seq_seq to authenticated;
grant all on public.automerge_chunks to service_role;
grant all on sequence public.automerge_chunks_seq_seq to service_role;

-- Rows without a document (the server's own keys) match no policy: only service_role (bypassrls).
create policy automerge_chunks_select_member on public.automerge_chunks for select to authenticated
  using (public.ofb_has_document_role(document_id, 'viewer'));
create policy automerge_chunks_insert_editor on public.automerge_chunks for insert to authenticated
  with check (public.ofb_has_document_role(document_id, 'editor'));
create policy automerge_chunks_update_editor on public.automerge_chunks for update to authenticated
  using (public.ofb_has_document_role(document_id, 'editor'))
  with check (public.ofb_has_document_role(document_id, 'editor'));
create policy automerge_chunks_delete_editor on public.automerge_chunks for delete to authenticated
  using (public.ofb_has_document_role(document_id, 'editor'));
