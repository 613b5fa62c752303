-- Symphony OFB: each workspace's index document (`workspace-<workspaceId>`, the Yjs document that
-- lists its documents and workflows) is a row of `documents` with kind 'workspace', so its updates
-- are stored, checked and audited like any document's (document_updates references documents).
-- create-workspace inserts it with the workspace; this backfills workspaces created before.

alter table public.documents drop constraint if exists documents_kind_check;
alter table public.documents
  add constraint documents_kind_check check (kind in ('document', 'workflow', 'workspace'));

insert into public.documents (id, workspace_id, kind, title)
  select 'workspace-' || w.id, w.id, 'workspace', w.name from public.workspaces w
  on conflict (id) do nothing;
