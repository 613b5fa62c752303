-- Symphony OFB: row-level security that keeps the Trash and unique names true for clients that reach
-- the database directly (PostgREST as `authenticated`), not only through OFB's functions.
--
-- Names: a row written past OFB always takes the key of its name, so `update users set name = 'ALICE',
-- name_key = 'x'` cannot put a look-alike beside `alice` (the unique index then refuses it). OFB
-- (the table owner) keeps writing the key it computed, and the backfill's `<key>#<id>` keys stand.
create or replace function public.ofb_user_name_key() returns trigger
language plpgsql as $$
begin
  if current_user in ('authenticated', 'anon') then
    new.name_key := lower(normalize(new.name, NFKC));
  elsif tg_op = 'INSERT' then
    new.name_key := coalesce(new.name_key, lower(normalize(new.name, NFKC)));
  elsif new.name is distinct from old.name and new.name_key is not distinct from old.name_key then
    new.name_key := lower(normalize(new.name, NFKC));
  end if;
  return new;
end $$;

-- Trash: a trashed document is gone for members, its metadata and its content alike, and only OFB
-- moves a document into or out of the Trash (delete-document, restore-document: audited, within the
-- quota) or purges it. So no direct hard delete (it would skip the Trash), no update of a trashed row
-- and no update that sets or clears deleted_at / deleted_by (no delete policy: a delete finds no rows).
drop policy if exists documents_select_member on public.documents;
create policy documents_select_member on public.documents for select to authenticated
  using (deleted_at is null and public.ofb_has_role(workspace_id, 'viewer'));
drop policy if exists documents_update_editor on public.documents;
create policy documents_update_editor on public.documents for update to authenticated
  using (kind <> 'workspace' and deleted_at is null and public.ofb_has_role(workspace_id, 'editor'))
  with check (
    kind <> 'workspace' and deleted_at is null and deleted_by is null
    and public.ofb_has_role(workspace_id, 'editor')
  );
drop policy if exists documents_delete_editor on public.documents;

-- Content of a trashed document (document_updates, automerge_chunks) is read through this check.
create or replace function public.ofb_has_document_role(doc text, least_role text) returns boolean
language sql stable security definer set search_path = public as $$
  select exists (
    select 1 from public.documents d
    where d.id = doc and d.deleted_at is null and public.ofb_has_role(d.workspace_id, least_role)
  )
$$;
